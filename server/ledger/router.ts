// Finance's view of the ledger: accounts with balances, statements, transactions, trial balance.
import { z } from "zod";
import { checkDaysInOrder, dayPeriod, dayRange } from "@/server/days";
import { createTRPCRouter, financeProcedure } from "@/server/trpc";
import { accountBalances } from "./balances";
import {
  accountStatement,
  MAX_PAGE_SIZE,
  periodTotals,
  transactionsByReference,
  transactionWithEntries,
  trialBalance,
} from "./queries";

/** A BIGSERIAL id from the wire: anything outside 1 … 2⁶³−1 is a 400, never a database error. */
const ledgerId = z.coerce.bigint().positive().max(9_223_372_036_854_775_807n, "Out of range");

/** An account over whole UTC days, both ends optional and inclusive (none: all its history). */
const accountAndPeriod = { code: z.string().min(1).max(100), ...dayPeriod };

export const ledgerRouter = createTRPCRouter({
  trialBalance: financeProcedure.query(({ ctx }) => trialBalance(ctx.db)),
  /** Accounts with balances, by code, in keyset pages (cursor = the last code seen). */
  accounts: financeProcedure
    .input(
      z
        .object({
          asOf: z.date().optional(),
          kind: z.enum(["system", "seller"]).optional(),
          cursor: z.string().max(100).optional(),
          limit: z.number().int().min(1).max(MAX_PAGE_SIZE).default(50),
        })
        .default({ limit: 50 }),
    )
    .query(async ({ ctx, input }) => {
      const rows = await accountBalances(ctx.db, {
        asOf: input.asOf,
        sellerAccounts: input.kind === undefined ? undefined : input.kind === "seller",
        after: input.cursor,
        limit: input.limit + 1,
      });
      const accounts = rows.slice(0, input.limit);
      return { accounts, nextCursor: rows.length > input.limit ? accounts.at(-1)?.code : undefined };
    }),
  statement: financeProcedure
    .input(
      z
        .object({
          ...accountAndPeriod,
          cursor: ledgerId.optional(),
          limit: z.number().int().min(1).max(MAX_PAGE_SIZE).default(50),
        })
        .superRefine(checkDaysInOrder),
    )
    .query(({ ctx, input }) =>
      accountStatement(ctx.db, input.code, {
        afterEntryId: input.cursor,
        limit: input.limit,
        period: dayRange(input.from, input.to),
      }),
    ),
  /** The account's balance before the period and at its end, and what came in and went out. */
  statementTotals: financeProcedure
    .input(z.object(accountAndPeriod).superRefine(checkDaysInOrder))
    .query(({ ctx, input }) => periodTotals(ctx.db, input.code, dayRange(input.from, input.to))),
  transaction: financeProcedure
    .input(z.object({ id: ledgerId }))
    .query(({ ctx, input }) => transactionWithEntries(ctx.db, input.id)),
  byReference: financeProcedure
    .input(z.object({ reference: z.string().min(1).max(200) }))
    .query(({ ctx, input }) => transactionsByReference(ctx.db, input.reference)),
});
