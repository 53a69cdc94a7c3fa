// Funds move from the seller's pending to available balance when the order is fulfilled or its
// hold period has passed.
import type { Db } from "@/server/db";
import { NotFoundError } from "@/server/errors";
import { postTransaction } from "@/server/ledger/post-transaction";
import { NotRefundableError } from "./errors";

/** Releases one paid order's pending funds, once. Returns false when it was already released. */
export async function releaseOrder(
  db: Db,
  paymentOrderId: string,
  actor: string,
  sellerId?: string,
): Promise<boolean> {
  return db.$transaction(async (tx) => {
    await tx.$queryRaw`SELECT id FROM payment_order WHERE id = ${paymentOrderId}::uuid FOR UPDATE`;
    const order = await tx.paymentOrder.findUnique({
      where: { id: paymentOrderId },
      include: { refunds: true },
    });
    if (!order || (sellerId && order.sellerId !== sellerId)) throw new NotFoundError("Payment order");
    if (order.status !== "SUCCESS") throw new NotRefundableError(order.status);
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

/** Releases every paid order older than the hold period; returns how many. */
export async function releaseHeldOrders(db: Db, holdDays: number, limit = 500): Promise<number> {
  const due = await db.paymentOrder.findMany({
    where: {
      status: "SUCCESS",
      releasedAt: null,
      updatedAt: { lte: new Date(Date.now() - holdDays * 86_400_000) },
    },
    select: { id: true },
    take: limit,
    orderBy: { updatedAt: "asc" },
  });
  let released = 0;
  for (const order of due) if (await releaseOrder(db, order.id, "hold period")) released++;
  return released;
}
