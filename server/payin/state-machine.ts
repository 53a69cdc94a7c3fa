// The payment order state machine: one table of allowed moves and one function that makes
// them, recording who and why. Nothing else writes payment_order.status.
import type { PaymentOrderStatus } from "@/generated/prisma/enums";
import type { DbOrTx } from "@/server/db";
import { InvalidTransitionError } from "@/server/errors";

const allowed: Record<PaymentOrderStatus, readonly PaymentOrderStatus[]> = {
  NOT_STARTED: ["EXECUTING", "FAILED"],
  EXECUTING: ["SUCCESS", "FAILED"],
  // A failed checkout may be paid later: the buyer retries, or the PSP reports a success that
  // arrived after an expiry we acted on. The PSP's word on money wins.
  FAILED: ["EXECUTING", "SUCCESS"],
  SUCCESS: [],
};

export function canTransition(from: PaymentOrderStatus, to: PaymentOrderStatus): boolean {
  return allowed[from].includes(to);
}

export interface TransitionOptions {
  actor: string;
  reason: string;
  /** Extra columns set with the move (ledger flags, failure reason). */
  data?: { ledgerUpdated?: boolean; walletUpdated?: boolean; failureReason?: string | null };
}

/**
 * Moves every order of a payment event that is in `from` to `to`, in the caller's transaction.
 * Orders already in `to` are left alone (idempotent); any other state is an error.
 */
export async function transitionOrders(
  tx: DbOrTx,
  paymentEventId: string,
  to: PaymentOrderStatus,
  options: TransitionOptions,
): Promise<number> {
  const orders = await tx.paymentOrder.findMany({
    where: { paymentEventId },
    select: { id: true, status: true },
    orderBy: { id: "asc" },
  });
  const moving = orders.filter((order) => order.status !== to);
  for (const order of moving) {
    if (!canTransition(order.status, to)) throw new InvalidTransitionError("payment order", order.status, to);
  }
  if (moving.length === 0) return 0;
  const ids = moving.map((order) => order.id);
  await tx.paymentOrder.updateMany({
    where: { id: { in: ids } },
    data: { status: to, updatedAt: new Date(), ...options.data },
  });
  await tx.paymentOrderTransition.createMany({
    data: moving.map((order) => ({
      paymentOrderId: order.id,
      fromStatus: order.status,
      toStatus: to,
      actor: options.actor,
      reason: options.reason,
    })),
  });
  return moving.length;
}
