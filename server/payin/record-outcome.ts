// Step 5: apply the PSP's verdict. Each function locks the checkout row, so webhooks, the return
// page and recovery jobs racing on one checkout apply it once; repeating a verdict is a no-op.
import type { Prisma } from "@/generated/prisma/client";
import type { Db, DbOrTx } from "@/server/db";
import { ensureSellerAccounts, postTransactions } from "@/server/ledger/post-transaction";
import { crashPoint } from "@/server/runtime/crash-points";
import { transitionOrders } from "./state-machine";

async function lockEvent(tx: DbOrTx, checkoutId: string) {
  await tx.$queryRaw`SELECT id FROM payment_event WHERE id = ${checkoutId}::uuid FOR UPDATE`;
  return tx.paymentEvent.findUniqueOrThrow({ where: { id: checkoutId }, include: { orders: true } });
}

export interface SuccessDetails {
  paymentIntentId: string | null;
  chargeId: string | null;
  actor: string;
}

/**
 * Marks a paid checkout SUCCEEDED and posts one ledger transaction per order in the same
 * database transaction. Invariant: every PSP success is posted exactly once.
 */
export async function recordPaymentSucceeded(
  db: Db,
  checkoutId: string,
  details: SuccessDetails,
): Promise<boolean> {
  return db.$transaction(async (tx) => {
    const event = await lockEvent(tx, checkoutId);
    if (event.status === "SUCCEEDED") return false;
    for (const order of event.orders) await ensureSellerAccounts(tx, order.sellerId, order.currency);
    await postTransactions(
      tx,
      event.orders.map((order) => ({
        kind: "payin",
        reference: order.id,
        currency: order.currency,
        description: `Pay-in for checkout ${event.id}`,
        entries: [
          { account: "psp_clearing", direction: "DEBIT" as const, amount: order.amount },
          {
            account: `seller_pending:${order.sellerId}`,
            direction: "CREDIT" as const,
            amount: order.amount - order.commission,
          },
          ...(order.commission > 0n
            ? [{ account: "commission_revenue", direction: "CREDIT" as const, amount: order.commission }]
            : []),
        ].filter((entry) => entry.amount > 0n),
      })),
    );
    await transitionOrders(tx, event.id, "SUCCESS", {
      actor: details.actor,
      reason: "the PSP captured the payment",
      data: { ledgerUpdated: true, walletUpdated: true, failureReason: null },
    });
    await tx.paymentEvent.update({
      where: { id: event.id },
      data: {
        status: "SUCCEEDED",
        isPaymentDone: true,
        pspPaymentIntentId: details.paymentIntentId ?? event.pspPaymentIntentId,
        pspChargeId: details.chargeId ?? event.pspChargeId,
        failureCode: null,
        failureMessage: null,
        updatedAt: new Date(),
      },
    });
    crashPoint("payin.success-before-commit");
    return true;
  });
}

/** Marks a checkout FAILED with the PSP's reason; never overrides a success. Nothing is posted. */
export async function recordPaymentFailed(
  db: Db,
  checkoutId: string,
  failure: { code: string | null; message: string; actor: string },
): Promise<boolean> {
  return db.$transaction(async (tx) => {
    const event = await lockEvent(tx, checkoutId);
    if (event.status !== "EXECUTING") return false;
    await transitionOrders(tx, event.id, "FAILED", {
      actor: failure.actor,
      reason: failure.message,
      data: { failureReason: failure.message },
    });
    await tx.paymentEvent.update({
      where: { id: event.id },
      data: {
        status: "FAILED",
        failureCode: failure.code,
        failureMessage: failure.message,
        updatedAt: new Date(),
      },
    });
    return true;
  });
}

/** A declined attempt on a session that stays open: the buyer may still pay with another card. */
export async function recordDeclinedAttempt(
  db: DbOrTx,
  checkoutId: string,
  decline: { code: string | null; message: string },
): Promise<void> {
  const data: Prisma.PaymentEventUpdateManyMutationInput = {
    failureCode: decline.code,
    failureMessage: decline.message,
    updatedAt: new Date(),
  };
  await db.paymentEvent.updateMany({ where: { id: checkoutId, status: "EXECUTING" }, data });
}
