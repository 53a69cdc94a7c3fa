// Fulfilment: a seller marks a paid order shipped, and its funds move from the seller's pending to
// available balance once the hold period (PAYIN_HOLD_DAYS, counted from shipping) has passed —
// the window in which a buyer's complaint can still be refunded from pending funds.
import type { Db } from "@/server/db";
import { payinHoldMs } from "@/server/env";
import { NotFoundError } from "@/server/errors";
import { postTransaction } from "@/server/ledger/post-transaction";
import { NotShippableError } from "./errors";

/** When a shipped order's funds become available. */
export function availableAt(shippedAt: Date, holdMs = payinHoldMs()): Date {
  return new Date(shippedAt.getTime() + holdMs);
}

/**
 * Marks the seller's paid order shipped, once; returns false when it was shipped already. With no
 * hold (PAYIN_HOLD_DAYS=0) the funds are released at once instead of at the job's next run.
 */
export async function markShipped(db: Db, paymentOrderId: string, sellerId: string): Promise<boolean> {
  const shipped = await db.$transaction(async (tx) => {
    const [order] = await tx.$queryRaw<{ status: string; shipped: boolean }[]>`
      SELECT status::text, shipped_at IS NOT NULL AS shipped FROM payment_order
       WHERE id = ${paymentOrderId}::uuid AND seller_id = ${sellerId}::uuid FOR UPDATE`;
    if (!order) throw new NotFoundError("Payment order");
    if (order.status !== "SUCCESS") throw new NotShippableError(order.status);
    if (order.shipped) return false;
    await tx.paymentOrder.update({
      where: { id: paymentOrderId },
      data: { shippedAt: new Date(), updatedAt: new Date() },
    });
    return true;
  });
  if (shipped && payinHoldMs() === 0) await releaseOrder(db, paymentOrderId, "shipped, no hold");
  return shipped;
}

/** Releases one paid order's pending funds, once. Returns false when it was already released. */
export async function releaseOrder(db: Db, paymentOrderId: string, actor: string): Promise<boolean> {
  return db.$transaction(async (tx) => {
    await tx.$queryRaw`SELECT id FROM payment_order WHERE id = ${paymentOrderId}::uuid FOR UPDATE`;
    const order = await tx.paymentOrder.findUnique({
      where: { id: paymentOrderId },
      include: { refunds: true },
    });
    if (!order) throw new NotFoundError("Payment order");
    if (order.status !== "SUCCESS") throw new NotShippableError(order.status);
    if (order.releasedAt) return false;
    // Refunds taken from pending already left it; only the rest moves.
    const refundedFromPending = order.refunds
      .filter((refund) => refund.status !== "FAILED" && refund.sellerAccount.startsWith("seller_pending:"))
      .reduce((sum, refund) => sum + refund.amount - refund.commission, 0n);
    const amount = order.amount - order.commission - refundedFromPending;
    if (amount > 0n) {
      await postTransaction(tx, {
        kind: "release",
        reference: order.id,
        currency: order.currency,
        description: `Funds of order ${order.id} released (${actor})`,
        entries: [
          { account: `seller_pending:${order.sellerId}`, direction: "DEBIT", amount },
          { account: `seller_available:${order.sellerId}`, direction: "CREDIT", amount },
        ],
      });
    }
    await tx.paymentOrder.update({
      where: { id: order.id },
      data: { releasedAt: new Date(), updatedAt: new Date() },
    });
    return true;
  });
}

/**
 * Releases every shipped order whose hold has passed, oldest first; returns how many. Reads the
 * partial index of shipped, unreleased paid orders (payment_order_release_due_idx), so its cost
 * follows what may be due, not every order ever released.
 */
export async function releaseHeldOrders(db: Db, holdMs = payinHoldMs(), limit = 500): Promise<number> {
  const due = await db.$queryRaw<{ id: string }[]>`
    SELECT id::text FROM payment_order
     WHERE status = 'SUCCESS' AND released_at IS NULL AND shipped_at IS NOT NULL
       AND shipped_at <= ${new Date(Date.now() - holdMs)}
     ORDER BY shipped_at
     LIMIT ${limit}`;
  let released = 0;
  for (const order of due) if (await releaseOrder(db, order.id, "hold period after shipping")) released++;
  return released;
}
