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

/** One payout of a batch move: its new transfer id or failure reason, and why it moved. */
export interface BatchMove {
  id: string;
  reason: string;
  pspTransferId?: string | null;
  failureReason?: string | null;
}

/** What a batch move returns for each payout it moved (the ledger postings need it). */
export interface MovedPayout {
  id: string;
  seller_id: string;
  amount: bigint;
  currency: string;
  run_id: string;
  reason: string;
  psp_transfer_id: string | null;
}

/**
 * Moves many payouts `from` → `to` in one statement and records one transition each (a driver
 * records a whole batch of PSP answers at once instead of one transaction per payout). Rows are
 * locked in id order, and only those still in `from` move: a payout a webhook or a confirm job
 * already settled is skipped and left out of the result, so its ledger posting is never repeated.
 */
export async function transitionPayouts(
  tx: DbOrTx,
  from: PayoutStatus,
  to: PayoutStatus,
  moves: BatchMove[],
  actor: string,
): Promise<MovedPayout[]> {
  if (!canTransition(from, to)) throw new InvalidTransitionError("payout", from, to);
  if (moves.length === 0) return [];
  return tx.$queryRawUnsafe<MovedPayout[]>(
    `WITH m AS (SELECT * FROM unnest($1::uuid[], $2::text[], $3::text[], $4::text[])
                          AS m(id, reason, psp_transfer_id, failure_reason)),
          locked AS (SELECT p.id FROM payout p JOIN m USING (id)
                      WHERE p.status = $5::"PayoutStatus" ORDER BY p.id FOR UPDATE OF p),
          moved AS (
            UPDATE payout p
               SET status = $6::"PayoutStatus", updated_at = now(),
                   psp_transfer_id = coalesce(p.psp_transfer_id, m.psp_transfer_id),
                   failure_reason = coalesce(m.failure_reason, p.failure_reason)
              FROM m JOIN locked USING (id)
             WHERE p.id = m.id AND p.status = $5::"PayoutStatus"
            RETURNING p.id, p.seller_id, p.amount, trim(p.currency) AS currency, p.run_id, m.reason,
                      p.psp_transfer_id),
          transitions AS (
            INSERT INTO payout_transition (payout_id, from_status, to_status, actor, reason)
            SELECT id, $5::"PayoutStatus", $6::"PayoutStatus", $7, reason FROM moved)
     SELECT * FROM moved`,
    moves.map((move) => move.id),
    moves.map((move) => move.reason),
    moves.map((move) => move.pspTransferId ?? null),
    moves.map((move) => move.failureReason ?? null),
    from,
    to,
    actor,
  );
}
