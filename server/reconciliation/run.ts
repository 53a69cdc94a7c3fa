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
import { matchCharges, matchRefunds, matchTransfers, type Period } from "./match";

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
    const charges = await matchCharges(db, runId, period);
    await db.reconRun.update({ where: { id: runId }, data: { processed: charges.total } });
    const refunds = await matchRefunds(db, runId, period);
    await db.reconRun.update({ where: { id: runId }, data: { processed: charges.total + refunds.total } });
    const transfers = await matchTransfers(db, runId, period);
    await checkInternal(db, runId);
    await autoFix(db, psp, runId, period);

    const items = await db.reconItem.groupBy({ by: ["outcome"], where: { runId }, _count: true });
    const settlementTotal = charges.total + refunds.total + transfers.total;
    const counts: Record<string, number> = {
      MATCHED: settlementTotal - charges.mismatched - refunds.mismatched - transfers.mismatched,
      UNMATCHED_TYPES: total - settlementTotal,
    };
    for (const row of items) counts[row.outcome] = row._count;
    const changes = run.previousRunId ? await diffWithPrevious(db, run.previousRunId, runId, counts) : null;
    await db.reconRun.update({
      where: { id: runId },
      data: {
        status: "COMPLETED",
        processed: total,
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
