// A seller's own wallet and statement: the seller id always comes from the session (ctx).
import { z } from "zod";
import { MAX_PAGE_SIZE } from "@/server/ledger/queries";
import { createTRPCRouter, sellerProcedure } from "@/server/trpc";
import { sellerStatement, sellerWallets } from "./service";

export const walletRouter = createTRPCRouter({
  mine: sellerProcedure.query(({ ctx }) => sellerWallets(ctx.db, ctx.sellerId)),
  statement: sellerProcedure
    .input(
      z.object({
        bucket: z.enum(["pending", "available"]).default("available"),
        cursor: z.coerce.bigint().positive().max(9_223_372_036_854_775_807n, "Out of range").optional(),
        limit: z.number().int().min(1).max(MAX_PAGE_SIZE).default(50),
      }),
    )
    .query(({ ctx, input }) =>
      sellerStatement(ctx.db, ctx.sellerId, input.bucket, { afterEntryId: input.cursor, limit: input.limit }),
    ),
});
