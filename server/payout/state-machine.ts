// The payout state machine: one table of allowed moves and one function that makes them,
// recording who and why. Nothing else writes payout.status.
import type { PayoutStatus } from "@/generated/prisma/enums";
import type { DbOrTx } from "@/server/db";
import { InvalidTransitionError } from "@/server/errors";

const allowed: Record<PayoutStatus, readonly PayoutStatus[]> = {
  PENDING: ["PROCESSING", "CANCELED"],
  PROCESSING: ["PAID", "FAILED"],
  // A transfer the PSP reverses after it was made: the money comes back to the wallet.
  PAID: ["FAILED"],
  FAILED: [],
  CANCELED: [],
};

export function canTransition(from: PayoutStatus, to: PayoutStatus): boolean {
  return allowed[from].includes(to);
}

export interface PayoutMove {
  actor: string;
  reason: string;
  data?: { pspTransferId?: string; failureReason?: string | null };
}

/** Moves one payout (locked by the caller) and records the transition. */
export async function transitionPayout(
  tx: DbOrTx,
  payout: { id: string; status: PayoutStatus },
  to: PayoutStatus,
  move: PayoutMove,
): Promise<void> {
  if (!canTransition(payout.status, to)) throw new InvalidTransitionError("payout", payout.status, to);
  await tx.payout.update({
    where: { id: payout.id },
    data: { status: to, updatedAt: new Date(), ...move.data },
  });
  await tx.payoutTransition.create({
    data: {
      payoutId: payout.id,
      fromStatus: payout.status,
      toStatus: to,
      actor: move.actor,
      reason: move.reason,
    },
  });
}
