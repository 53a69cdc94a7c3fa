import { z } from "zod";
import { enforceRateLimit } from "@/server/security/rate-limit";
import { buyerProcedure, createTRPCRouter, financeProcedure, sellerProcedure } from "@/server/trpc";
import { createCheckout } from "./create-checkout";
import {
  catalog,
  checkoutForBuyer,
  checkoutsForBuyer,
  ordersForSeller,
  paymentOrderDetail,
  paymentVolume,
  searchPayments,
  searchSellerOrders,
  sellerOrderDetail,
} from "./queries";
import { requestRefund } from "./refunds";
import { markShipped } from "./release";
import { retryCheckout } from "./retry-checkout";
import { reviewCheckout } from "./review";
import {
  checkoutIdInput,
  checkoutInput,
  orderIdInput,
  pageInput,
  paymentSearchInput,
  refundInput,
  reviewInput,
  sellerOrderSearchInput,
  volumeInput,
} from "./schemas";
import { syncPaymentStatus } from "./sync-status";

export const payinRouter = createTRPCRouter({
  catalog: buyerProcedure.query(({ ctx }) => catalog(ctx.db)),
  checkout: buyerProcedure.input(checkoutInput).mutation(async ({ ctx, input }) => {
    await enforceRateLimit("checkout", ctx.user.id, ctx.resHeaders);
    return createCheckout(ctx.db, ctx.user, input);
  }),
  /** The buyer's return page: asks the PSP too, so a lost webhook delays nothing. */
  checkoutStatus: buyerProcedure.input(checkoutIdInput).query(async ({ ctx, input }) => {
    const checkout = await checkoutForBuyer(ctx.db, ctx.user.id, input.checkoutId);
    if (checkout.status === "EXECUTING") {
      await syncPaymentStatus(ctx.db, checkout.id, `buyer:${ctx.user.id}`).catch(() => "open");
      return checkoutForBuyer(ctx.db, ctx.user.id, input.checkoutId);
    }
    return checkout;
  }),
  retryCheckout: buyerProcedure
    .input(checkoutIdInput)
    .mutation(({ ctx, input }) => retryCheckout(ctx.db, ctx.user.id, input.checkoutId)),
  myCheckouts: buyerProcedure
    .input(pageInput)
    .query(({ ctx, input }) => checkoutsForBuyer(ctx.db, ctx.user.id, input)),

  sellerOrders: sellerProcedure
    .input(pageInput)
    .query(({ ctx, input }) => ordersForSeller(ctx.db, ctx.sellerId, input)),
  /** The seller console's table: filters and keyset pages; the seller is ctx's, never input's. */
  sellerOrderSearch: sellerProcedure
    .input(sellerOrderSearchInput)
    .query(({ ctx, input }) => searchSellerOrders(ctx.db, ctx.sellerId, input)),
  sellerOrder: sellerProcedure
    .input(orderIdInput)
    .query(({ ctx, input }) => sellerOrderDetail(ctx.db, input.paymentOrderId, ctx.sellerId)),
  markShipped: sellerProcedure
    .input(orderIdInput)
    .mutation(({ ctx, input }) => markShipped(ctx.db, input.paymentOrderId, ctx.sellerId)),

  search: financeProcedure.input(paymentSearchInput).query(({ ctx, input }) => searchPayments(ctx.db, input)),
  volume: financeProcedure.input(volumeInput).query(({ ctx, input }) => paymentVolume(ctx.db, input.days)),
  order: financeProcedure
    .input(orderIdInput)
    .query(({ ctx, input }) => paymentOrderDetail(ctx.db, input.paymentOrderId)),
  refund: financeProcedure.input(refundInput).mutation(async ({ ctx, input }) => {
    await enforceRateLimit("refund", ctx.user.id, ctx.resHeaders);
    const refund = await requestRefund(ctx.db, ctx.user, input);
    return { refundId: refund.id, status: refund.status };
  }),
  review: financeProcedure
    .input(reviewInput)
    .mutation(({ ctx, input }) => reviewCheckout(ctx.db, ctx.user, input)),
  reviewQueue: financeProcedure
    .input(z.object({ limit: z.number().int().min(1).max(100).default(50) }))
    .query(({ ctx, input }) => searchPayments(ctx.db, { status: "IN_REVIEW", limit: input.limit })),
});
