// Finance actions on runs and payouts: approve (step-up), cancel, retry a failed payout, policy.
import { audit } from "@/server/audit/audit";
import type { Db } from "@/server/db";
import { NotFoundError } from "@/server/errors";
import { enqueue } from "@/server/jobs/define-job";
import { postTransaction } from "@/server/ledger/post-transaction";
import { requireStepUp } from "@/server/security/step-up";
import { NoPayoutAccountError, PayoutNotRetryableError, RunNotApprovableError } from "./errors";
import { driveRunJob } from "./jobs";
import { transitionPayout } from "./state-machine";

export interface Actor {
  id: string;
  email: string;
}

/**
 * Approves a run awaiting approval after the approver re-enters their password; records who and
 * when. Invariant: no transfer of the run starts before this commits.
 */
export async function approveRun(db: Db, actor: Actor, runId: string, password: string) {
  await requireStepUp(db, actor.id, password);
  await db.$transaction(async (tx) => {
    await tx.$queryRaw`SELECT id FROM payout_run WHERE id = ${runId}::uuid FOR UPDATE`;
    const run = await tx.payoutRun.findUnique({ where: { id: runId } });
    if (!run) throw new NotFoundError("Payout run");
    if (run.status !== "AWAITING_APPROVAL") throw new RunNotApprovableError(run.status);
    const approvedAt = new Date();
    await tx.payoutRun.update({
      where: { id: runId },
      data: { status: "PROCESSING", approvedBy: actor.id, approvedAt },
    });
    await audit(tx, {
      actorId: actor.id,
      actorLabel: actor.email,
      action: "payout.run.approve",
      entity: "payout_run",
      entityId: runId,
      before: { status: run.status },
      after: { status: "PROCESSING", approvedAt },
    });
    await enqueue(tx, driveRunJob, { runId });
  });
  return db.payoutRun.findUniqueOrThrow({ where: { id: runId } });
}

/**
 * Cancels a run's payouts that have not been sent (PENDING), giving each amount back to its
 * seller's wallet once; payouts already with the PSP finish normally.
 */
export async function cancelRun(db: Db, actor: Actor, runId: string) {
  await db.$transaction(async (tx) => {
    await tx.$queryRaw`SELECT id FROM payout_run WHERE id = ${runId}::uuid FOR UPDATE`;
    const run = await tx.payoutRun.findUnique({ where: { id: runId } });
    if (!run) throw new NotFoundError("Payout run");
    if (run.status !== "AWAITING_APPROVAL" && run.status !== "PROCESSING" && run.status !== "DRAFT") {
      throw new RunNotApprovableError(run.status);
    }
    const pending = await tx.$queryRaw<{ id: string; seller_id: string; amount: bigint; currency: string }[]>`
      SELECT id, seller_id, amount, currency FROM payout
       WHERE run_id = ${runId}::uuid AND status = 'PENDING' ORDER BY id FOR UPDATE`;
    for (const payout of pending) {
      await transitionPayout(tx, { id: payout.id, status: "PENDING" }, "CANCELED", {
        actor: actor.email,
        reason: "run canceled",
      });
      await postTransaction(tx, {
        kind: "payout.reversal",
        reference: payout.id,
        currency: payout.currency.trim(),
        description: "Payout canceled before transfer",
        entries: [
          { account: "payouts_in_transit", direction: "DEBIT", amount: payout.amount },
          { account: `seller_available:${payout.seller_id}`, direction: "CREDIT", amount: payout.amount },
        ],
      });
    }
    const inFlight = await tx.payout.count({ where: { runId, status: "PROCESSING" } });
    await tx.payoutRun.update({
      where: { id: runId },
      data:
        inFlight > 0
          ? { canceledBy: actor.id }
          : { status: "CANCELED", canceledBy: actor.id, finishedAt: new Date() },
    });
    await audit(tx, {
      actorId: actor.id,
      actorLabel: actor.email,
      action: "payout.run.cancel",
      entity: "payout_run",
      entityId: runId,
      before: { status: run.status },
      after: { canceledPayouts: pending.length, inFlight },
    });
  });
  return db.payoutRun.findUniqueOrThrow({ where: { id: runId } });
}

/**
 * Retries a FAILED payout as a new payout (next attempt, new idempotency key = its id) to the
 * seller's current account. Invariant: a failed payout is retried at most once (unique retry_of)
 * and the seller's balance must still cover it (the wallet never goes negative).
 */
export async function retryPayout(db: Db, actor: Actor, payoutId: string) {
  const retryId = await db.$transaction(async (tx) => {
    await tx.$queryRaw`SELECT id FROM payout WHERE id = ${payoutId}::uuid FOR UPDATE`;
    const failed = await tx.payout.findUnique({ where: { id: payoutId } });
    if (!failed) throw new NotFoundError("Payout");
    if (failed.status !== "FAILED") throw new PayoutNotRetryableError(`it is ${failed.status}`);
    if (await tx.payout.findUnique({ where: { retryOf: payoutId } })) {
      throw new PayoutNotRetryableError("it was already retried");
    }
    const live = await tx.payout.count({
      where: { sellerId: failed.sellerId, status: { in: ["PENDING", "PROCESSING"] } },
    });
    if (live > 0) throw new PayoutNotRetryableError("another payout of this seller is in flight");
    const settings = await tx.payoutSettings.findUnique({ where: { sellerId: failed.sellerId } });
    if (!settings?.pspAccountId) throw new NoPayoutAccountError();
    const last = await tx.payout.aggregate({
      where: { runId: failed.runId, sellerId: failed.sellerId },
      _max: { attempt: true },
    });
    const retry = await tx.payout.create({
      data: {
        runId: failed.runId,
        sellerId: failed.sellerId,
        attempt: (last._max.attempt ?? failed.attempt) + 1,
        retryOf: failed.id,
        amount: failed.amount,
        currency: failed.currency,
        destination: settings.pspAccountId,
      },
    });
    await tx.payoutTransition.create({
      data: { payoutId: retry.id, toStatus: "PENDING", actor: actor.email, reason: `retry of ${failed.id}` },
    });
    await postTransaction(tx, {
      kind: "payout",
      reference: retry.id,
      currency: retry.currency.trim(),
      description: `Retry of payout ${failed.id}`,
      entries: [
        { account: `seller_available:${retry.sellerId}`, direction: "DEBIT", amount: retry.amount },
        { account: "payouts_in_transit", direction: "CREDIT", amount: retry.amount },
      ],
    });
    await tx.payoutRun.update({
      where: { id: failed.runId },
      data: { status: "PROCESSING", finishedAt: null },
    });
    await audit(tx, {
      actorId: actor.id,
      actorLabel: actor.email,
      action: "payout.retry",
      entity: "payout",
      entityId: retry.id,
      before: { retryOf: failed.id, failureReason: failed.failureReason },
      after: { amount: retry.amount, destination: retry.destination },
    });
    await enqueue(tx, driveRunJob, { runId: failed.runId });
    return retry.id;
  });
  return db.payout.findUniqueOrThrow({ where: { id: retryId } });
}

export async function updatePayoutPolicy(
  db: Db,
  actor: Actor,
  input: { requireApproval: boolean; approvalThreshold: bigint | null },
) {
  return db.$transaction(async (tx) => {
    const before = await tx.payoutPolicy.findUnique({ where: { id: 1 } });
    const policy = await tx.payoutPolicy.upsert({
      where: { id: 1 },
      create: { id: 1, ...input, updatedBy: actor.id },
      update: { ...input, updatedBy: actor.id, updatedAt: new Date() },
    });
    await audit(tx, {
      actorId: actor.id,
      actorLabel: actor.email,
      action: "payout.policy.update",
      entity: "payout_policy",
      entityId: "1",
      before: before && {
        requireApproval: before.requireApproval,
        approvalThreshold: before.approvalThreshold,
      },
      after: input,
    });
    return policy;
  });
}
