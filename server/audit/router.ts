import { z } from "zod";
import { createTRPCRouter, financeProcedure } from "@/server/trpc";
import { listAuditLog } from "./list";
import { verifyAuditChain } from "./verify";

export const auditRouter = createTRPCRouter({
  list: financeProcedure
    .input(
      z.object({
        entity: z.string().trim().max(64).optional(),
        entityId: z
          .string()
          .trim()
          .max(64)
          .regex(/^[\w.:-]*$/, "Letters, digits, '-', '_', '.' and ':' only")
          .optional(),
        cursor: z.bigint().positive().max(9_223_372_036_854_775_807n).optional(),
        limit: z.number().int().min(1).max(100).default(50),
      }),
    )
    .query(({ ctx, input }) => listAuditLog(ctx.db, input)),
  verify: financeProcedure.query(({ ctx }) => verifyAuditChain(ctx.db)),
});
