// A seller's own wallet and statement: the seller id always comes from the session (ctx).
import { dayRange } from "@/server/days";
import { createTRPCRouter, sellerProcedure } from "@/server/trpc";
import { statementPageInput, statementPeriodInput } from "./schemas";
import { sellerStatement, sellerStatementTotals, sellerWallets } from "./service";

export const walletRouter = createTRPCRouter({
  mine: sellerProcedure.query(({ ctx }) => sellerWallets(ctx.db, ctx.sellerId)),
  statement: sellerProcedure.input(statementPageInput).query(({ ctx, input }) =>
    sellerStatement(ctx.db, ctx.sellerId, input.bucket, {
      afterEntryId: input.cursor,
      limit: input.limit,
      period: dayRange(input.from, input.to),
    }),
  ),
  statementTotals: sellerProcedure
    .input(statementPeriodInput)
    .query(({ ctx, input }) =>
      sellerStatementTotals(ctx.db, ctx.sellerId, input.bucket, dayRange(input.from, input.to)),
    ),
});
