import { z } from "zod";
import { accountStatement } from "@/server/ledger/queries";
import { createTRPCRouter, sellerProcedure } from "@/server/trpc";

export const walletRouter = createTRPCRouter({
  /** The seller's balances; zero before the first sale. */
  mine: sellerProcedure.query(async ({ ctx }) => {
    const wallets = await ctx.db.wallet.findMany({ where: { sellerId: ctx.sellerId } });
    return wallets.length > 0
      ? wallets
      : [{ sellerId: ctx.sellerId, currency: "usd", pending: 0n, available: 0n }];
  }),
  statement: sellerProcedure
    .input(
      z.object({
        bucket: z.enum(["pending", "available"]).default("available"),
        cursor: z.coerce.bigint().positive().max(9_223_372_036_854_775_807n).optional(),
        limit: z.number().int().min(1).max(100).default(50),
      }),
    )
    .query(async ({ ctx, input }) => {
      const code = `seller_${input.bucket}:${ctx.sellerId}`;
      const exists = await ctx.db.ledgerAccount.count({ where: { code } });
      if (!exists) return { lines: [], nextCursor: undefined };
      return accountStatement(ctx.db, code, { afterEntryId: input.cursor, limit: input.limit });
    }),
});
