// Read side of payouts: runs with live progress, a run's payouts, a seller's payouts with their
// statement lines (the ledger entries on their available balance).
import type { PayoutStatus } from "@/generated/prisma/enums";
import type { DbOrTx } from "@/server/db";
import { NotFoundError } from "@/server/errors";

export type RunProgress = Record<PayoutStatus, { count: number; amount: bigint }>;

const emptyProgress = (): RunProgress => ({
  PENDING: { count: 0, amount: 0n },
  PROCESSING: { count: 0, amount: 0n },
  PAID: { count: 0, amount: 0n },
  FAILED: { count: 0, amount: 0n },
  CANCELED: { count: 0, amount: 0n },
});

async function progressOf(db: DbOrTx, runIds: string[]) {
  const byRun = new Map<string, RunProgress>(runIds.map((id) => [id, emptyProgress()]));
  if (runIds.length === 0) return byRun;
  const rows = await db.payout.groupBy({
    by: ["runId", "status"],
    where: { runId: { in: runIds } },
    _count: { _all: true },
    _sum: { amount: true },
  });
  for (const row of rows) {
    byRun.get(row.runId)![row.status] = { count: row._count._all, amount: row._sum.amount ?? 0n };
  }
  return byRun;
}

export async function listRuns(db: DbOrTx, input: { limit: number; cursor?: string | null }) {
  const runs = await db.payoutRun.findMany({
    orderBy: [{ createdAt: "desc" }, { id: "desc" }],
    take: input.limit + 1,
    ...(input.cursor ? { cursor: { id: input.cursor }, skip: 1 } : {}),
  });
  const page = runs.slice(0, input.limit);
  const progress = await progressOf(
    db,
    page.map((run) => run.id),
  );
  return {
    runs: page.map((run) => ({ ...run, progress: progress.get(run.id)! })),
    nextCursor: runs.length > input.limit ? page[page.length - 1]!.id : null,
  };
}

export async function getRunDetail(
  db: DbOrTx,
  input: { runId: string; limit: number; offset: number; status?: PayoutStatus | null },
) {
  const run = await db.payoutRun.findUnique({ where: { id: input.runId } });
  if (!run) throw new NotFoundError("Payout run");
  const where = { runId: input.runId, ...(input.status ? { status: input.status } : {}) };
  const [payouts, total, progress] = await Promise.all([
    db.payout.findMany({
      where,
      orderBy: [{ createdAt: "asc" }, { id: "asc" }],
      skip: input.offset,
      take: input.limit,
    }),
    db.payout.count({ where }),
    progressOf(db, [input.runId]),
  ]);
  const sellers = await db.seller.findMany({
    where: { id: { in: [...new Set(payouts.map((payout) => payout.sellerId))] } },
    select: { id: true, name: true },
  });
  const names = new Map(sellers.map((seller) => [seller.id, seller.name]));
  const retried = await db.payout.findMany({
    where: { retryOf: { in: payouts.map((payout) => payout.id) } },
    select: { retryOf: true },
  });
  const retriedIds = new Set(retried.map((row) => row.retryOf));
  return {
    run,
    progress: progress.get(input.runId)!,
    total,
    payouts: payouts.map((payout) => ({
      ...payout,
      sellerName: names.get(payout.sellerId) ?? payout.sellerId,
      retried: retriedIds.has(payout.id),
    })),
  };
}

/** The seller's payouts, newest first, each with its ledger lines on the available balance. */
export async function listSellerPayouts(
  db: DbOrTx,
  sellerId: string,
  input: { limit: number; cursor?: string | null },
) {
  const rows = await db.payout.findMany({
    where: { sellerId },
    orderBy: [{ createdAt: "desc" }, { id: "desc" }],
    take: input.limit + 1,
    ...(input.cursor ? { cursor: { id: input.cursor }, skip: 1 } : {}),
  });
  const page = rows.slice(0, input.limit);
  const lines = page.length
    ? await db.$queryRaw<
        { reference: string; kind: string; direction: string; amount: bigint; created_at: Date }[]
      >`
        SELECT t.reference, t.kind, e.direction::text AS direction, e.amount, e.created_at
          FROM ledger_transaction t
          JOIN ledger_entry e ON e.transaction_id = t.id
          JOIN ledger_account a ON a.id = e.account_id AND a.code = ${`seller_available:${sellerId}`}
         WHERE t.reference = ANY(${page.map((payout) => payout.id)}::text[])
           AND t.kind IN ('payout', 'payout.reversal')
         ORDER BY e.id`
    : [];
  return {
    payouts: page.map((payout) => ({
      id: payout.id,
      amount: payout.amount,
      currency: payout.currency.trim(),
      status: payout.status,
      attempt: payout.attempt,
      failureReason: payout.failureReason,
      createdAt: payout.createdAt,
      updatedAt: payout.updatedAt,
      lines: lines
        .filter((line) => line.reference === payout.id)
        .map((line) => ({
          kind: line.kind,
          // From the seller's side: a debit of their available balance is money paid out.
          amount: line.direction === "DEBIT" ? -line.amount : line.amount,
          description: line.kind === "payout" ? "Paid out" : "Returned to your balance",
          createdAt: line.created_at,
        })),
    })),
    nextCursor: rows.length > input.limit ? page[page.length - 1]!.id : null,
  };
}
