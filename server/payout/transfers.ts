// Moving the money: PENDING payouts are claimed in batches (SKIP LOCKED, so concurrent drivers
// split the work), committed as PROCESSING, then sent to the PSP with the payout id as the
// idempotency key, and the answer is recorded. An unknown answer leaves the payout PROCESSING and
// the same request is asked again later: the PSP replays the first transfer, never a second one.
import type { Db, DbOrTx } from "@/server/db";
import { enqueue } from "@/server/jobs/define-job";
import { postTransaction, postTransactions } from "@/server/ledger/post-transaction";
import { crashPoint } from "@/server/runtime/crash-points";
import { confirmTransferJob, driveRunJob } from "./jobs";
import { isDefiniteRefusal, type PayoutPsp, payoutPsp, refusalReason, type TransferState } from "./psp";
import { type BatchMove, transitionPayout, transitionPayouts } from "./state-machine";

interface ClaimedPayout {
  id: string;
  seller_id: string;
  amount: bigint;
  currency: string;
  destination: string;
}

export interface DriveOptions {
  batchSize?: number;
  /** Stop after this many batches (a job slice); the rest is left PENDING for the next slice. */
  maxBatches?: number;
  /** Transfers in flight at once per driver. */
  parallel?: number;
  psp?: PayoutPsp;
  actor?: string;
  /** Where the time goes (benchmarks): summed milliseconds per phase, added to by every batch. */
  timings?: DriveTimings;
}

export interface DriveTimings {
  claimMs: number;
  sendMs: number;
  recordMs: number;
  batches: number;
}

/** Claims up to `limit` PENDING payouts of a run that is PROCESSING, and commits them PROCESSING. */
export async function claimPendingPayouts(db: Db, runId: string, limit: number, actor: string) {
  return db.$transaction(async (tx) => {
    const claimed = await tx.$queryRaw<ClaimedPayout[]>`
      UPDATE payout p SET status = 'PROCESSING', updated_at = now()
        FROM (SELECT id FROM payout
               WHERE run_id = ${runId}::uuid AND status = 'PENDING'
                 AND EXISTS (SELECT 1 FROM payout_run r WHERE r.id = ${runId}::uuid AND r.status = 'PROCESSING')
               -- No ORDER BY: the (run_id, status) index hands out the first free rows, where
               -- sorting by id would read and sort every PENDING payout of the run per batch
               -- (50 ms a claim at 100k). SKIP LOCKED never waits, so lock order does not matter.
               LIMIT ${limit}
                 FOR UPDATE SKIP LOCKED) c
       WHERE p.id = c.id
      RETURNING p.id, p.seller_id, p.amount, p.currency, p.destination`;
    if (claimed.length > 0) {
      await tx.$executeRaw`
        INSERT INTO payout_transition (payout_id, from_status, to_status, actor, reason)
        SELECT id, 'PENDING', 'PROCESSING', ${actor}, 'transfer requested'
          FROM unnest(${claimed.map((payout) => payout.id)}::uuid[]) AS id`;
    }
    return claimed;
  });
}

/**
 * Drives a run until no PENDING payout is left (or maxBatches); returns how many it sent. Each
 * claimed batch is sent with `parallel` transfers in flight, then all its answers are recorded in
 * one database transaction (recordBatch); only the claimed batch is held in memory.
 */
export async function driveRun(db: Db, runId: string, options: DriveOptions = {}): Promise<number> {
  const { batchSize = 200, maxBatches = Number.POSITIVE_INFINITY, parallel = 8 } = options;
  const psp = options.psp ?? payoutPsp();
  const actor = options.actor ?? "payout-driver";
  const timings = options.timings;
  let sent = 0;
  for (let batch = 0; batch < maxBatches; batch++) {
    let started = performance.now();
    const claimed = await claimPendingPayouts(db, runId, batchSize, actor);
    if (timings) timings.claimMs += performance.now() - started;
    if (claimed.length === 0) break;
    started = performance.now();
    const answers: Answer[] = new Array(claimed.length);
    let next = 0;
    const worker = async () => {
      while (next < claimed.length) {
        const index = next++;
        answers[index] = await sendTransfer(claimed[index]!, psp);
      }
    };
    await Promise.all(Array.from({ length: Math.min(parallel, claimed.length) }, worker));
    if (timings) timings.sendMs += performance.now() - started;
    started = performance.now();
    // A crash before this commits leaves the batch PROCESSING without transfer ids: recovery
    // repeats each create with the same key and the PSP replays the transfer it already made.
    await recordBatch(db, claimed, answers);
    if (timings) {
      timings.recordMs += performance.now() - started;
      timings.batches++;
    }
    sent += claimed.length;
  }
  await completeRunIfDone(db, runId);
  return sent;
}

/** One job's share of a run; re-enqueues itself while PENDING payouts remain. */
export async function driveRunSlice(db: Db, runId: string): Promise<void> {
  await driveRun(db, runId, { maxBatches: 20 });
  const pending = await db.payout.count({
    where: { runId, status: "PENDING", run: { status: "PROCESSING" } },
  });
  if (pending > 0) await enqueue(db, driveRunJob, { runId });
}

type Outcome = "paid" | "failed" | "unknown";

/** What the PSP answered to one transfer of a batch. */
type Answer =
  | { kind: "made"; transfer: TransferState }
  | { kind: "refused"; reason: string }
  | { kind: "unknown" };

/** The driver completes its run once at the end instead of after every payout. */
interface RecordOptions {
  completeRun?: boolean;
}

/** Sends one transfer; writes nothing (the batch's answers are recorded together). */
async function sendTransfer(payout: ClaimedPayout, psp: PayoutPsp): Promise<Answer> {
  try {
    const transfer = await psp.createTransfer({
      payoutId: payout.id,
      destination: payout.destination,
      amount: payout.amount,
      currency: payout.currency.trim(),
    });
    // The chaos harness may die here: the transfer exists, Payrail has not recorded it yet.
    crashPoint("payout.transfer-made-before-record");
    return { kind: "made", transfer };
  } catch (error) {
    if (isDefiniteRefusal(error)) return { kind: "refused", reason: refusalReason(error) };
    return { kind: "unknown" };
  }
}

/**
 * Records a batch's answers in one transaction, set-based: made transfers PROCESSING → PAID with
 * their `payout.paid` postings, refusals PROCESSING → FAILED with their `payout.reversal`
 * postings back to the wallet, and a confirm job for each unknown answer (it stays PROCESSING).
 * Only payouts still PROCESSING move (transitionPayouts), and the postings are unique by (kind,
 * payout id), so a webhook or confirm job that got there first is never doubled. A transfer that
 * comes back already reversed (a replay after a reversal) is rare and recorded on its own.
 */
async function recordBatch(db: Db, claimed: ClaimedPayout[], answers: Answer[]): Promise<void> {
  const paid: BatchMove[] = [];
  const refused: BatchMove[] = [];
  const unknown: string[] = [];
  const reversed: { id: string; transfer: TransferState }[] = [];
  claimed.forEach((payout, index) => {
    const answer = answers[index]!;
    if (answer.kind === "made" && answer.transfer.reversed)
      reversed.push({ id: payout.id, transfer: answer.transfer });
    else if (answer.kind === "made")
      paid.push({
        id: payout.id,
        reason: `transfer ${answer.transfer.transferId}`,
        pspTransferId: answer.transfer.transferId,
      });
    else if (answer.kind === "refused")
      refused.push({ id: payout.id, reason: answer.reason, failureReason: answer.reason });
    else unknown.push(payout.id);
  });

  if (paid.length + refused.length + unknown.length > 0) {
    await db.$transaction(
      async (tx) => {
        const madePaid = await transitionPayouts(tx, "PROCESSING", "PAID", paid, "psp:transfer");
        const madeFailed = await transitionPayouts(tx, "PROCESSING", "FAILED", refused, "psp:transfer");
        await postTransactions(tx, [
          ...madePaid.map((payout) => ({
            kind: "payout.paid",
            reference: payout.id,
            currency: payout.currency,
            description: `Transfer ${payout.psp_transfer_id}`,
            entries: [
              { account: "payouts_in_transit", direction: "DEBIT" as const, amount: payout.amount },
              { account: "platform_bank", direction: "CREDIT" as const, amount: payout.amount },
            ],
          })),
          ...madeFailed.map((payout) => ({
            kind: "payout.reversal",
            reference: payout.id,
            currency: payout.currency,
            description: `Payout failed: ${payout.reason}`.slice(0, 300),
            entries: [
              { account: "payouts_in_transit", direction: "DEBIT" as const, amount: payout.amount },
              {
                account: `seller_available:${payout.seller_id}`,
                direction: "CREDIT" as const,
                amount: payout.amount,
              },
            ],
          })),
        ]);
        // Unknown outcome: stays PROCESSING; a job asks again with the same idempotency key.
        for (const payoutId of unknown)
          await enqueue(tx, confirmTransferJob, { payoutId }, { startAfter: 2 });
      },
      { timeout: 60_000, maxWait: 30_000 },
    );
  }
  for (const { id, transfer } of reversed)
    await applyTransferState(db, id, transfer, "psp:transfer", { completeRun: false });
}

/**
 * Asks the PSP for the truth of a PROCESSING payout: by transfer id when we have it, otherwise by
 * repeating the create with the same idempotency key (the PSP replays the original transfer).
 */
export async function confirmPayout(
  db: Db,
  payoutId: string,
  psp = payoutPsp(),
): Promise<Outcome | "settled"> {
  const payout = await db.payout.findUniqueOrThrow({ where: { id: payoutId } });
  if (payout.status !== "PROCESSING") return "settled";
  try {
    const transfer = payout.pspTransferId
      ? await psp.retrieveTransfer(payout.pspTransferId)
      : await psp.createTransfer({
          payoutId: payout.id,
          destination: payout.destination,
          amount: payout.amount,
          currency: payout.currency.trim(),
        });
    return await applyTransferState(db, payout.id, transfer, "psp:confirm");
  } catch (error) {
    if (!payout.pspTransferId && isDefiniteRefusal(error)) {
      await failPayout(db, payout.id, refusalReason(error), "psp:confirm");
      return "failed";
    }
    return "unknown";
  }
}

/** Records what the PSP says about a payout's transfer: made (PAID) or reversed (FAILED). */
export async function applyTransferState(
  db: Db,
  payoutId: string,
  transfer: TransferState,
  actor: string,
  options: RecordOptions = {},
) {
  if (transfer.reversed) {
    await failPayout(
      db,
      payoutId,
      "The transfer was reversed by the PSP",
      actor,
      transfer.transferId,
      options,
    );
    return "failed" as const;
  }
  await markPaid(db, payoutId, transfer.transferId, actor, options);
  return "paid" as const;
}

async function lockPayout(tx: DbOrTx, payoutId: string) {
  await tx.$queryRaw`SELECT id FROM payout WHERE id = ${payoutId}::uuid FOR UPDATE`;
  return tx.payout.findUniqueOrThrow({ where: { id: payoutId } });
}

/**
 * PROCESSING → PAID: the transfer exists at the PSP. Posts Dr payouts_in_transit / Cr
 * platform_bank once (kind `payout.paid`, reference the payout id).
 */
export async function markPaid(
  db: Db,
  payoutId: string,
  transferId: string,
  actor: string,
  options: RecordOptions = {},
): Promise<void> {
  const runId = await db.$transaction(async (tx) => {
    const payout = await lockPayout(tx, payoutId);
    if (payout.status !== "PROCESSING") return null;
    await transitionPayout(tx, payout, "PAID", {
      actor,
      reason: `transfer ${transferId}`,
      data: { pspTransferId: transferId },
    });
    await postTransaction(tx, {
      kind: "payout.paid",
      reference: payout.id,
      currency: payout.currency.trim(),
      description: `Transfer ${transferId}`,
      entries: [
        { account: "payouts_in_transit", direction: "DEBIT", amount: payout.amount },
        { account: "platform_bank", direction: "CREDIT", amount: payout.amount },
      ],
    });
    return payout.runId;
  });
  if (runId && options.completeRun !== false) await completeRunIfDone(db, runId);
}

/**
 * → FAILED with the reason, and the money goes back to the seller's wallet exactly once (kind
 * `payout.reversal`): from payouts_in_transit before it was paid, from platform_bank after.
 */
export async function failPayout(
  db: Db,
  payoutId: string,
  reason: string,
  actor: string,
  transferId?: string,
  options: RecordOptions = {},
): Promise<void> {
  const runId = await db.$transaction(async (tx) => {
    const payout = await lockPayout(tx, payoutId);
    if (payout.status !== "PROCESSING" && payout.status !== "PAID") return null;
    const source = payout.status === "PAID" ? "platform_bank" : "payouts_in_transit";
    await transitionPayout(tx, payout, "FAILED", {
      actor,
      reason,
      data: {
        failureReason: reason,
        ...(transferId && !payout.pspTransferId ? { pspTransferId: transferId } : {}),
      },
    });
    await postTransaction(tx, {
      kind: "payout.reversal",
      reference: payout.id,
      currency: payout.currency.trim(),
      description: `Payout failed: ${reason}`.slice(0, 300),
      entries: [
        { account: source, direction: "DEBIT", amount: payout.amount },
        { account: `seller_available:${payout.sellerId}`, direction: "CREDIT", amount: payout.amount },
      ],
    });
    return payout.runId;
  });
  if (runId && options.completeRun !== false) await completeRunIfDone(db, runId);
}

/** A PROCESSING run with nothing PENDING or PROCESSING left is COMPLETED. */
export async function completeRunIfDone(db: Db | DbOrTx, runId: string): Promise<void> {
  await db.$executeRaw`
    UPDATE payout_run r SET status = 'COMPLETED', finished_at = now()
     WHERE r.id = ${runId}::uuid AND r.status = 'PROCESSING'
       AND NOT EXISTS (SELECT 1 FROM payout p WHERE p.run_id = r.id AND p.status IN ('PENDING', 'PROCESSING'))`;
}

/**
 * Crash recovery: payouts PROCESSING for longer than `olderThanMs` are confirmed with the PSP
 * (a crash between claim and record leaves exactly those), and runs with PENDING payouts but no
 * recent progress get a new driver.
 */
export async function recoverStalePayouts(
  db: Db,
  options: { olderThanMs?: number; psp?: PayoutPsp; limit?: number } = {},
): Promise<{ confirmed: number; restartedRuns: number }> {
  const olderThan = new Date(Date.now() - (options.olderThanMs ?? 120_000));
  const stale = await db.payout.findMany({
    where: { status: "PROCESSING", updatedAt: { lt: olderThan } },
    select: { id: true },
    orderBy: { updatedAt: "asc" },
    take: options.limit ?? 500,
  });
  for (const payout of stale) await confirmPayout(db, payout.id, options.psp ?? payoutPsp());

  const stalled = await db.$queryRaw<{ run_id: string }[]>`
    SELECT p.run_id FROM payout p JOIN payout_run r ON r.id = p.run_id AND r.status = 'PROCESSING'
     GROUP BY p.run_id
    HAVING count(*) FILTER (WHERE p.status = 'PENDING') > 0
       AND max(greatest(p.updated_at, coalesce(r.approved_at, r.created_at))) < ${olderThan}`;
  for (const run of stalled) await enqueue(db, driveRunJob, { runId: run.run_id });

  const open = await db.payoutRun.findMany({ where: { status: "PROCESSING" }, select: { id: true } });
  for (const run of open) await completeRunIfDone(db, run.id);
  return { confirmed: stale.length, restartedRuns: stalled.length };
}
