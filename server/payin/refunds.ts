// Step 6: refunds. The reversing ledger transaction is posted when the refund is requested (the
// seller's balance cannot be paid out meanwhile) and reversed again if the PSP refuses it.
import { audit } from "@/server/audit/audit";
import type { Db, DbOrTx } from "@/server/db";
import { IdempotencyConflictError, NotFoundError } from "@/server/errors";
import { enqueue } from "@/server/jobs/define-job";
import { postTransaction } from "@/server/ledger/post-transaction";
import { getPsp } from "@/server/psp/instance";
import { crashPoint } from "@/server/runtime/crash-points";
import { refundStepUpAmount, requireStepUp } from "@/server/security/step-up";
import { NotRefundableError, RefundTooLargeError } from "./errors";
import { executeRefundJob } from "./jobs";

export interface RefundRequest {
  paymentOrderId: string;
  amount: bigint;
  reason: string;
  idempotencyKey: string;
  password?: string;
}

/**
 * Requests a full or partial refund of a paid order. Invariant: the refunded total never exceeds
 * the order amount, and the refund is posted exactly once however often the request is repeated.
 */
export async function requestRefund(db: Db, actor: { id: string; email: string }, input: RefundRequest) {
  const existing = await db.refund.findUnique({ where: { idempotencyKey: input.idempotencyKey } });
  if (existing) {
    if (existing.paymentOrderId !== input.paymentOrderId || existing.amount !== input.amount) {
      throw new IdempotencyConflictError();
    }
    return existing;
  }
  if (input.amount > refundStepUpAmount()) await requireStepUp(db, actor.id, input.password);

  return db.$transaction(async (tx) => {
    await tx.$queryRaw`SELECT id FROM payment_order WHERE id = ${input.paymentOrderId}::uuid FOR UPDATE`;
    const order = await tx.paymentOrder.findUnique({ where: { id: input.paymentOrderId } });
    if (!order) throw new NotFoundError("Payment order");
    if (order.status !== "SUCCESS") throw new NotRefundableError(order.status);
    const refundable = order.amount - order.refundedAmount;
    if (input.amount > refundable) throw new RefundTooLargeError(refundable);

    const commission = (order.commission * input.amount) / order.amount;
    const sellerAccount = order.releasedAt
      ? `seller_available:${order.sellerId}`
      : `seller_pending:${order.sellerId}`;
    const refund = await tx.refund.create({
      data: {
        paymentOrderId: order.id,
        amount: input.amount,
        commission,
        currency: order.currency,
        sellerAccount,
        idempotencyKey: input.idempotencyKey,
        requestedBy: actor.id,
        reason: input.reason,
      },
    });
    await postTransaction(tx, {
      kind: "refund",
      reference: refund.id,
      currency: order.currency,
      description: `Refund of order ${order.id}`,
      entries: [
        { account: sellerAccount, direction: "DEBIT", amount: input.amount - commission },
        { account: "commission_revenue", direction: "DEBIT", amount: commission },
        { account: "psp_clearing", direction: "CREDIT", amount: input.amount },
      ].filter((entry) => entry.amount > 0n) as never,
    });
    await tx.paymentOrder.update({
      where: { id: order.id },
      data: { refundedAmount: { increment: input.amount }, updatedAt: new Date() },
    });
    await audit(tx, {
      actorId: actor.id,
      actorLabel: actor.email,
      action: "refund.request",
      entity: "payment_order",
      entityId: order.id,
      before: { refundedAmount: order.refundedAmount },
      after: {
        refundedAmount: order.refundedAmount + input.amount,
        refundId: refund.id,
        reason: input.reason,
      },
    });
    await enqueue(tx, executeRefundJob, { refundId: refund.id });
    return refund;
  });
}

/** Sends a pending refund to the PSP (idempotency key = refund id) and applies the answer. */
export async function executeRefund(db: Db, refundId: string): Promise<void> {
  const refund = await db.refund.findUniqueOrThrow({
    where: { id: refundId },
    include: { paymentOrder: { include: { paymentEvent: true } } },
  });
  if (refund.status !== "PENDING") return;
  const paymentIntentId = refund.paymentOrder.paymentEvent.pspPaymentIntentId;
  if (!paymentIntentId) throw new Error(`checkout of refund ${refund.id} has no payment intent`);
  const result = refund.pspRefundId
    ? await getPsp().retrieveRefund(refund.pspRefundId)
    : await getPsp().createRefund({ refundId: refund.id, paymentIntentId, amount: refund.amount });
  crashPoint("payin.refund-sent-before-record");
  await applyRefundStatus(db, refund.id, result);
}

export interface PspRefundState {
  pspRefundId: string;
  status: string;
  failureReason?: string | null;
}

/**
 * Applies the PSP's state of a refund. A refusal — even after the PSP first said it succeeded —
 * reverses the posting and gives the amount back to the order, exactly once.
 */
export async function applyRefundStatus(db: Db, refundId: string, state: PspRefundState): Promise<void> {
  await db.$transaction(async (tx) => {
    await tx.$queryRaw`SELECT id FROM refund WHERE id = ${refundId}::uuid FOR UPDATE`;
    const refund = await tx.refund.findUniqueOrThrow({
      where: { id: refundId },
      include: { paymentOrder: true },
    });
    if (refund.status === "FAILED") return;
    if (state.status === "failed" || state.status === "canceled") {
      await reverseRefund(tx, refund, state);
      return;
    }
    const status = state.status === "succeeded" ? "SUCCEEDED" : refund.status;
    if (status === refund.status && refund.pspRefundId === state.pspRefundId) return;
    await tx.refund.update({
      where: { id: refundId },
      data: { status, pspRefundId: state.pspRefundId, updatedAt: new Date() },
    });
  });
}

async function reverseRefund(
  tx: DbOrTx,
  refund: {
    id: string;
    amount: bigint;
    commission: bigint;
    currency: string;
    sellerAccount: string;
    paymentOrder: { id: string; sellerId: string; releasedAt: Date | null };
  },
  state: PspRefundState,
) {
  // If the order was released meanwhile, its seller share now belongs in the available balance.
  const sellerAccount = refund.paymentOrder.releasedAt
    ? `seller_available:${refund.paymentOrder.sellerId}`
    : refund.sellerAccount;
  await postTransaction(tx, {
    kind: "refund.reversal",
    reference: refund.id,
    currency: refund.currency,
    description: `The PSP refused refund ${refund.id}`,
    entries: [
      { account: "psp_clearing", direction: "DEBIT", amount: refund.amount },
      { account: sellerAccount, direction: "CREDIT", amount: refund.amount - refund.commission },
      { account: "commission_revenue", direction: "CREDIT", amount: refund.commission },
    ].filter((entry) => entry.amount > 0n) as never,
  });
  await tx.refund.update({
    where: { id: refund.id },
    data: {
      status: "FAILED",
      pspRefundId: state.pspRefundId,
      failureReason: state.failureReason ?? "The PSP refused the refund",
      updatedAt: new Date(),
    },
  });
  await tx.paymentOrder.update({
    where: { id: refund.paymentOrder.id },
    data: { refundedAmount: { decrement: refund.amount }, updatedAt: new Date() },
  });
}
