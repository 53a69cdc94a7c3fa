import { z } from "zod";
import { createTRPCRouter, financeProcedure } from "@/server/trpc";
import { verifyAuditChain } from "./verify";

export const auditRouter = createTRPCRouter({
  list: financeProcedure
    .input(
      z.object({
        entity: z.string().max(64).optional(),
        cursor: z.bigint().positive().max(9_223_372_036_854_775_807n).optional(),
        limit: z.number().int().min(1).max(100).default(50),
      }),
    )
    .query(async ({ ctx, input }) => {
      const rows = await ctx.db.auditLog.findMany({
        where: {
          ...(input.entity ? { entity: input.entity } : {}),
          ...(input.cursor ? { id: { lt: input.cursor } } : {}),
        },
        orderBy: { id: "desc" },
        take: input.limit + 1,
      });
      return {
        items: rows.slice(0, input.limit),
        nextCursor: rows.length > input.limit ? rows[input.limit - 1]!.id : undefined,
      };
    }),
  verify: financeProcedure.query(({ ctx }) => verifyAuditChain(ctx.db)),
});
