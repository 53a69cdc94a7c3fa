import { z } from "zod";
import { unprocessedWebhooks } from "@/server/payin/webhooks";
import { createTRPCRouter, financeProcedure } from "@/server/trpc";
import { deadLetters, queueOverview, replayDeadLetters } from "./service";

export const jobsRouter = createTRPCRouter({
  queues: financeProcedure.query(() => queueOverview()),
  unprocessedWebhooks: financeProcedure.query(({ ctx }) => unprocessedWebhooks(ctx.db)),
  deadLetters: financeProcedure
    .input(z.object({ limit: z.number().int().min(1).max(500).default(100) }))
    .query(({ input }) => deadLetters(input.limit)),
  replay: financeProcedure
    .input(z.object({ ids: z.array(z.string().uuid()).min(1).max(500) }))
    .mutation(({ ctx, input }) => replayDeadLetters(ctx.db, ctx.user, input.ids)),
});
