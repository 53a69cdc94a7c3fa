// A reconciliation run over a period: ingest the PSP's settlement data, match it, check the books
// internally, fix what the PSP's truth can fix, and report — with what changed since the last
// run of the same period. Re-running a period is safe: ingestion and postings are idempotent.
import { audit } from "@/server/audit/audit";
import type { Db } from "@/server/db";
import { DomainError } from "@/server/errors";
import { enqueue } from "@/server/jobs/define-job";
import type { PspPort } from "@/server/psp/port";
import { autoFix } from "./auto-fix";
import { ingestFromPsp } from "./ingest";
import { checkInternal } from "./internal";
import { reconcileRunJob } from "./jobs";
import { matchSettlements, type Period } from "./match";

export class InvalidPeriodError extends DomainError {
  constructor(message: string) {
    super(message, "BAD_REQUEST");
  }
}

/** Creates a run and enqueues it; a worker executes it. */
export async function startRun(db: Db, period: Period, actor: { id: string; email: string } | null) {
  if (!(period.start < period.end)) throw new InvalidPeriodError("The period must end after it starts");
  if (period.end.getTime() - period.start.getTime() > 366 * 86_400_000)
    throw new InvalidPeriodError("At most a year per run");
  return db.$transaction(async (tx) => {
    const previous = await tx.reconRun.findFirst({
      where: { periodStart: period.start, periodEnd: period.end, status: "COMPLETED" },
      orderBy: { startedAt: "desc" },
    });
    const run = await tx.reconRun.create({
      data: {
        periodStart: period.start,
        periodEnd: period.end,
        startedBy: actor?.id,
        previousRunId: previous?.id,
      },
    });
    if (actor) {
      await audit(tx, {
        actorId: actor.id,
        actorLabel: actor.email,
        action: "recon.run",
        entity: "recon_run",
        entityId: run.id,
        after: period,
      });
    }
    await enqueue(tx, reconcileRunJob, { runId: run.id });
    return run;
  });
}

const MATCH_PARALLEL = Number(process.env.RECON_MATCH_PARALLEL ?? 2);

const itemKey = (item: {
  area: string;
  outcome: string;
  pspReference: string | null;
  ourReference: string | null;
}) => `${item.area}|${item.outcome}|${item.pspReference ?? ""}|${item.ourReference ?? ""}`;

/** Executes a run to the end (the job's body). Idempotent per run: a rerun of a finished run is a no-op. */
export async function executeRun(db: Db, psp: PspPort, runId: string): Promise<void> {
  const run = await db.reconRun.findUniqueOrThrow({ where: { id: runId } });
  if (run.status !== "RUNNING") return;
  const period = { start: run.periodStart, end: run.periodEnd };
  try {
    await db.reconItem.deleteMany({ where: { runId } }); // a retried job starts the run over
    await ingestFromPsp(db, psp, { from: period.start, to: period.end });
    const [{ total }] = (await db.$queryRawUnsafe<{ total: number }[]>(
      `SELECT count(*)::int AS total FROM settlement_record WHERE created_at_psp >= $1 AND created_at_psp < $2`,
      period.start,
      period.end,
    )) as [{ total: number }];
    await db.reconRun.update({ where: { id: runId }, data: { total, processed: 0 } });
    const matched = await matchSettlements(
      db,
      runId,
      period,
      async (processed) => {
        await db.reconRun.update({ where: { id: runId }, data: { processed: Math.min(processed, total) } });
      },
      { parallel: MATCH_PARALLEL },
    );
    await checkInternal(db, runId, period);
    await autoFix(db, psp, runId, period);
    await carryDecisionsForward(db, runId);

    const items = await db.reconItem.groupBy({ by: ["outcome"], where: { runId }, _count: true });
    const counts: Record<string, number> = {
      MATCHED: matched.matchable - matched.mismatched,
      // payouts to the platform's bank, refund failures, adjustments: posted, not matched one by one
      UNMATCHED_TYPES: matched.records - matched.matchable,
    };
    for (const row of items) counts[row.outcome] = row._count;
    const changes = run.previousRunId ? await diffWithPrevious(db, run.previousRunId, runId, counts) : null;
    await db.reconRun.update({
      where: { id: runId },
      data: {
        status: "COMPLETED",
        processed: Math.max(total, matched.records),
        total: Math.max(total, matched.records),
        counts,
        changes: changes ?? undefined,
        finishedAt: new Date(),
      },
    });
  } catch (error) {
    await db.reconRun.update({
      where: { id: runId },
      data: { status: "FAILED", error: (error as Error).message.slice(0, 500), finishedAt: new Date() },
    });
    throw error;
  }
}

/**
 * A mismatch finance already ignored or adjusted in an earlier run keeps that decision (with who
 * and when) when a later run finds it again, so it is not queued, or adjusted, twice. Resolved
 * ones found again are open again: the fix did not hold.
 */
async function carryDecisionsForward(db: Db, runId: string): Promise<number> {
  return db.$executeRawUnsafe(
    `UPDATE recon_item n
        SET resolution = o.resolution, resolved_by = o.resolved_by, resolved_at = o.resolved_at,
            note = 'Carried from an earlier run: ' || coalesce(o.note, '')
       FROM (SELECT DISTINCT ON (area, outcome, psp_reference, our_reference)
                    area, outcome, psp_reference, our_reference, resolution, resolved_by, resolved_at, note
               FROM recon_item
              WHERE run_id <> $1 AND resolution IN ('IGNORED', 'ADJUSTED')
                AND (psp_reference IS NOT NULL OR our_reference IS NOT NULL)
              ORDER BY area, outcome, psp_reference, our_reference, resolved_at DESC) o
      WHERE n.run_id = $1 AND n.resolution = 'OPEN' AND n.area = o.area AND n.outcome = o.outcome
        AND n.psp_reference IS NOT DISTINCT FROM o.psp_reference
        AND n.our_reference IS NOT DISTINCT FROM o.our_reference`,
    runId,
  );
}

async function diffWithPrevious(db: Db, previousId: string, runId: string, counts: Record<string, number>) {
  const [previous, before, after] = await Promise.all([
    db.reconRun.findUniqueOrThrow({ where: { id: previousId } }),
    db.reconItem.findMany({ where: { runId: previousId, classification: { not: "AUTO_FIXED" } } }),
    db.reconItem.findMany({ where: { runId, classification: { not: "AUTO_FIXED" } } }),
  ]);
  const beforeKeys = new Set(before.map(itemKey));
  const afterKeys = new Set(after.map(itemKey));
  const previousCounts = previous.counts as Record<string, number>;
  const outcomes = new Set([...Object.keys(previousCounts), ...Object.keys(counts)]);
  return {
    counts: Object.fromEntries(
      [...outcomes].map((outcome) => [outcome, (counts[outcome] ?? 0) - (previousCounts[outcome] ?? 0)]),
    ),
    newMismatches: after
      .filter((item) => !beforeKeys.has(itemKey(item)))
      .slice(0, 50)
      .map(itemKey),
    resolvedSince: before
      .filter((item) => !afterKeys.has(itemKey(item)))
      .slice(0, 50)
      .map(itemKey),
  };
}
