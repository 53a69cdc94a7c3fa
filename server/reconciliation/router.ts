import { z } from "zod";
import { NotFoundError } from "@/server/errors";
import { plainText } from "@/server/payin/schemas";
import { createTRPCRouter, financeProcedure } from "@/server/trpc";
import { ingestFile } from "./ingest";
import { resolveItem } from "./resolve";
import { startRun } from "./run";

const MAX_MINOR_UNITS = 10_000_000_000n;

export const reconciliationRouter = createTRPCRouter({
  runs: financeProcedure
    .input(z.object({ limit: z.number().int().min(1).max(100).default(20) }))
    .query(({ ctx, input }) =>
      ctx.db.reconRun.findMany({ orderBy: { startedAt: "desc" }, take: input.limit }),
    ),
  run: financeProcedure.input(z.object({ runId: z.string().uuid() })).query(async ({ ctx, input }) => {
    const run = await ctx.db.reconRun.findUnique({ where: { id: input.runId } });
    if (!run) throw new NotFoundError("Reconciliation run");
    return run;
  }),
  items: financeProcedure
    .input(
      z.object({
        runId: z.string().uuid(),
        open: z.boolean().default(false),
        cursor: z.bigint().positive().max(9_223_372_036_854_775_807n).optional(),
        limit: z.number().int().min(1).max(100).default(50),
      }),
    )
    .query(async ({ ctx, input }) => {
      const items = await ctx.db.reconItem.findMany({
        where: {
          runId: input.runId,
          ...(input.open ? { resolution: "OPEN" } : {}),
          ...(input.cursor ? { id: { gt: input.cursor } } : {}),
        },
        orderBy: { id: "asc" },
        take: input.limit + 1,
      });
      return {
        items: items.slice(0, input.limit),
        nextCursor: items.length > input.limit ? items[input.limit - 1]!.id : undefined,
      };
    }),
  start: financeProcedure
    .input(z.object({ start: z.coerce.date(), end: z.coerce.date() }))
    .mutation(({ ctx, input }) => startRun(ctx.db, input, ctx.user)),
  resolve: financeProcedure
    .input(
      z.object({
        itemId: z.bigint().positive().max(9_223_372_036_854_775_807n),
        action: z.enum(["RESOLVE", "ADJUST", "IGNORE"]),
        note: plainText(500).pipe(z.string().min(3, "Add a note for the record")),
        adjustment: z.bigint().min(-MAX_MINOR_UNITS).max(MAX_MINOR_UNITS).optional(),
      }),
    )
    .mutation(({ ctx, input }) => resolveItem(ctx.db, ctx.user, input)),
  uploadSettlement: financeProcedure
    .input(z.object({ csv: z.string().min(1, "The file is empty").max(5_000_000, "At most 5 MB per file") }))
    .mutation(({ ctx, input }) => ingestFile(ctx.db, input.csv)),
});
