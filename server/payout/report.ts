// A payout run's report as CSV, streamed page by page (keyset on id) so a 100k-payout run never
// sits in memory.
import { Readable } from "node:stream";
import { stringify } from "csv-stringify";
import type { DbOrTx } from "@/server/db";
import { NotFoundError } from "@/server/errors";

const columns = [
  "payout_id",
  "run_id",
  "seller_id",
  "seller_name",
  "attempt",
  "amount_minor",
  "currency",
  "status",
  "destination",
  "psp_transfer_id",
  "failure_reason",
  "created_at",
  "updated_at",
];

/** Throws NotFoundError for an unknown run; otherwise a web stream of CSV text. */
export async function payoutRunReport(
  db: DbOrTx,
  runId: string,
  pageSize = 2_000,
): Promise<ReadableStream<Uint8Array>> {
  const run = await db.payoutRun.findUnique({ where: { id: runId }, select: { id: true } });
  if (!run) throw new NotFoundError("Payout run");
  async function* rows() {
    let after = "00000000-0000-0000-0000-000000000000";
    for (;;) {
      const page = await db.$queryRaw<Record<string, unknown>[]>`
        SELECT p.id, p.run_id, p.seller_id, s.name, p.attempt, p.amount, trim(p.currency) AS currency, p.status::text AS status,
               p.destination, p.psp_transfer_id, p.failure_reason, p.created_at, p.updated_at
          FROM payout p JOIN seller s ON s.id = p.seller_id
         WHERE p.run_id = ${runId}::uuid AND p.id > ${after}::uuid
         ORDER BY p.id LIMIT ${pageSize}`;
      for (const row of page) {
        yield [
          row.id,
          row.run_id,
          row.seller_id,
          row.name,
          row.attempt,
          String(row.amount),
          row.currency,
          row.status,
          row.destination,
          row.psp_transfer_id ?? "",
          row.failure_reason ?? "",
          (row.created_at as Date).toISOString(),
          (row.updated_at as Date).toISOString(),
        ];
      }
      if (page.length < pageSize) return;
      after = String(page[page.length - 1]!.id);
    }
  }
  const csv = Readable.from(rows()).pipe(stringify({ header: true, columns }));
  return Readable.toWeb(csv) as unknown as ReadableStream<Uint8Array>;
}
