import { z } from "zod";
import { createTRPCRouter, financeProcedure } from "@/server/trpc";
import { accountBalances } from "./balances";
import { accountStatement, transactionsByReference, transactionWithEntries, trialBalance } from "./queries";

const MAX_BIGINT = 9_223_372_036_854_775_807n;
const entryId = z.coerce.bigint().positive().max(MAX_BIGINT, "Out of range");

export const ledgerRouter = createTRPCRouter({
  trialBalance: financeProcedure.query(({ ctx }) => trialBalance(ctx.db)),
  accounts: financeProcedure
    .input(z.object({ asOf: z.date().optional() }).default({}))
    .query(({ ctx, input }) => accountBalances(ctx.db, { asOf: input.asOf })),
  statement: financeProcedure
    .input(
      z.object({
        code: z.string().min(1).max(100),
        cursor: entryId.optional(),
        limit: z.number().int().min(1).max(100).default(50),
      }),
    )
    .query(({ ctx, input }) =>
      accountStatement(ctx.db, input.code, { afterEntryId: input.cursor, limit: input.limit }),
    ),
  transaction: financeProcedure
    .input(z.object({ id: entryId }))
    .query(({ ctx, input }) => transactionWithEntries(ctx.db, input.id)),
  byReference: financeProcedure
    .input(z.object({ reference: z.string().min(1).max(200) }))
    .query(({ ctx, input }) => transactionsByReference(ctx.db, input.reference)),
});
