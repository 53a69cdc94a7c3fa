// A payout run: one database transaction snapshots every due seller's available balance (minus
// reserve), creates their payouts and posts them to the ledger, set-based so 100k sellers is one
// run. Transfers happen afterwards, outside the transaction (see transfers.ts).
import { audit } from "@/server/audit/audit";
import type { Db, DbOrTx } from "@/server/db";
import { env } from "@/server/env";
import { enqueue } from "@/server/jobs/define-job";
import { postTransactions } from "@/server/ledger/post-transaction";
import { driveRunJob } from "./jobs";
import { startOfUtcDay } from "./schedule";

const SNAPSHOT_LOCK = 7_240_700;
const POSTING_CHUNK = 5_000;

export interface CreateRunOptions {
  trigger: "schedule" | "manual";
  /** Only sellers due today by their schedule; otherwise every seller with a payout account. */
  onlyDue: boolean;
  actor: { id: string; email: string } | null;
  now?: Date;
  /** Only these sellers (finance paying a few sellers now; tests). */
  sellerIds?: string[];
}

export interface PayoutPolicyState {
  requireApproval: boolean;
  approvalThreshold: bigint | null;
}

export async function getPayoutPolicy(db: DbOrTx): Promise<PayoutPolicyState> {
  const policy = await db.payoutPolicy.findUnique({ where: { id: 1 } });
  return {
    requireApproval: policy?.requireApproval ?? false,
    approvalThreshold: policy?.approvalThreshold ?? null,
  };
}

export function needsApproval(policy: PayoutPolicyState, total: bigint): boolean {
  return policy.requireApproval || (policy.approvalThreshold !== null && total > policy.approvalThreshold);
}

/**
 * Creates a payout run. Invariant: a seller is snapshotted only when no payout of theirs is in
 * flight (also enforced by a unique index), so a re-run or a concurrent run never pays twice;
 * the payout and its ledger posting commit together or not at all.
 */
export async function createPayoutRun(db: Db, options: CreateRunOptions) {
  const now = options.now ?? new Date();
  const currency = env().CURRENCY;
  const day = startOfUtcDay(now);
  const periodKey = options.trigger === "schedule" ? `schedule:${day.toISOString().slice(0, 10)}` : null;
  const actorLabel = options.actor ? options.actor.email : "payout-scheduler";

  const runId = await db.$transaction(
    async (tx) => {
      await tx.$executeRaw`SELECT pg_advisory_xact_lock(${SNAPSHOT_LOCK})`;
      const [run] = await tx.$queryRaw<{ id: string }[]>`
        INSERT INTO payout_run (status, trigger, period_key, as_of, currency, created_by)
        VALUES ('DRAFT', ${options.trigger}, ${periodKey}, ${now}, ${currency}, ${options.actor?.id ?? null}::uuid)
        ON CONFLICT (period_key) DO NOTHING
        RETURNING id`;
      if (!run) {
        const existing = await tx.payoutRun.findUniqueOrThrow({ where: { periodKey: periodKey! } });
        return existing.id;
      }

      const due = options.onlyDue
        ? `(s.schedule = 'DAILY'
            OR (s.schedule = 'WEEKLY' AND s.day_of_week = ${day.getUTCDay()})
            OR (s.schedule = 'MONTHLY' AND s.day_of_month = ${day.getUTCDate()}))`
        : "true";
      const eligible = `
        FROM payout_settings s
        JOIN wallet w ON w.seller_id = s.seller_id AND w.currency = $2
       WHERE ${due}
         AND ($3::uuid[] IS NULL OR s.seller_id = ANY($3::uuid[]))
         AND NOT EXISTS (SELECT 1 FROM payout p WHERE p.seller_id = s.seller_id AND p.status IN ('PENDING', 'PROCESSING'))`;

      const [skipped] = await tx.$queryRawUnsafe<{ no_account: number; below_minimum: number }[]>(
        `SELECT count(*) FILTER (WHERE s.psp_account_id IS NULL AND w.available > 0)::int AS no_account,
                count(*) FILTER (WHERE s.psp_account_id IS NOT NULL AND w.available > 0
                                   AND (w.available - s.reserve_amount < greatest(s.minimum_amount, 1)))::int AS below_minimum
           ${eligible} AND $1::uuid IS NOT NULL`,
        run.id,
        currency,
        options.sellerIds ?? null,
      );

      // Wallet rows are locked in seller order (as the ledger locks them), so the balance read
      // is the balance debited, and concurrent postings cannot deadlock with the run. Only the
      // count and total come back: the payouts themselves are read back in chunks below.
      const [created] = await tx.$queryRawUnsafe<{ count: number; total: bigint }[]>(
        `WITH inserted AS (
           INSERT INTO payout (run_id, seller_id, amount, currency, destination)
           SELECT $1::uuid, seller_id, amount, $2, destination FROM (
             SELECT s.seller_id, w.available - s.reserve_amount AS amount, s.psp_account_id AS destination
               ${eligible}
                AND s.psp_account_id IS NOT NULL
                AND w.available - s.reserve_amount >= greatest(s.minimum_amount, 1)
              ORDER BY s.seller_id
                FOR UPDATE OF w
           ) due
           RETURNING amount)
         SELECT count(*)::int AS count, coalesce(sum(amount), 0)::bigint AS total FROM inserted`,
        run.id,
        currency,
        options.sellerIds ?? null,
      );
      const payoutCount = created?.count ?? 0;
      const total = created?.total ?? 0n;

      // The postings, POSTING_CHUNK payouts at a time through a cursor, so the process holds one
      // chunk however many sellers the run pays.
      await tx.$executeRawUnsafe(
        `DECLARE payout_snapshot NO SCROLL CURSOR FOR
           SELECT id, seller_id, amount FROM payout WHERE run_id = $1::uuid`,
        run.id,
      );
      for (;;) {
        const chunk = await tx.$queryRawUnsafe<{ id: string; seller_id: string; amount: bigint }[]>(
          `FETCH ${POSTING_CHUNK} FROM payout_snapshot`,
        );
        if (chunk.length === 0) break;
        await postTransactions(
          tx,
          chunk.map((payout) => ({
            kind: "payout",
            reference: payout.id,
            currency,
            description: `Payout to seller ${payout.seller_id}`,
            entries: [
              {
                account: `seller_available:${payout.seller_id}`,
                direction: "DEBIT" as const,
                amount: payout.amount,
              },
              { account: "payouts_in_transit", direction: "CREDIT" as const, amount: payout.amount },
            ],
          })),
        );
        if (chunk.length < POSTING_CHUNK) break;
      }
      await tx.$executeRawUnsafe("CLOSE payout_snapshot");
      await tx.$executeRaw`
        INSERT INTO payout_transition (payout_id, from_status, to_status, actor, reason)
        SELECT id, NULL, 'PENDING', ${actorLabel}, 'snapshot of the available balance'
          FROM payout WHERE run_id = ${run.id}::uuid`;

      const requiresApproval = payoutCount > 0 && needsApproval(await getPayoutPolicy(tx), total);
      const status = payoutCount === 0 ? "COMPLETED" : requiresApproval ? "AWAITING_APPROVAL" : "PROCESSING";
      await tx.payoutRun.update({
        where: { id: run.id },
        data: {
          status,
          requiresApproval,
          payoutCount,
          totalAmount: total,
          belowMinimumCount: skipped?.below_minimum ?? 0,
          noAccountCount: skipped?.no_account ?? 0,
          finishedAt: status === "COMPLETED" ? new Date() : null,
        },
      });
      await audit(tx, {
        actorId: options.actor?.id ?? null,
        actorLabel,
        action: "payout.run.create",
        entity: "payout_run",
        entityId: run.id,
        after: { status, payoutCount, totalAmount: total, trigger: options.trigger },
      });
      if (status === "PROCESSING") await enqueue(tx, driveRunJob, { runId: run.id });
      return run.id;
    },
    { timeout: 15 * 60_000, maxWait: 30_000 },
  );
  return db.payoutRun.findUniqueOrThrow({ where: { id: runId } });
}
