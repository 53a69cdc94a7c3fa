// Reconciliation at scale: N charge settlement records against N paid checkouts (one order each)
// on PostgreSQL. Times a plain COPY of the settlement rows and the reconciliation's matching of
// them (set-based SQL in batches of ids: charges against the sum of their orders, duplicates,
// fees, then checkouts missing at the PSP), and prints the ratio.
//   npm run bench -- recon [rows=1000000]
import { chmodSync } from "node:fs";
import path from "node:path";
import pg from "pg";
import { createPostgresClient } from "@/server/db";
import { BATCH_SQL, matchSettlements } from "@/server/reconciliation/match";
import { benchDatabase } from "./lib";

const rows = Number(process.argv[2] ?? 1_000_000);
const { cluster, url } = await benchDatabase();
const sql = new pg.Client({ connectionString: url });
await sql.connect();
const db = createPostgresClient(url, 4);
const seconds = (ms: number) => `${(ms / 1000).toFixed(2)} s`;
try {
  const file = path.join(cluster.dir, "settlement.csv");
  chmodSync(cluster.dir, 0o777);
  const [{ id: buyer }] = (
    await sql.query(`INSERT INTO app_user (id, email, name, password_hash, role)
                     VALUES (gen_random_uuid(), 'b@bench', 'B', 'x', 'BUYER') RETURNING id`)
  ).rows;
  const [{ id: sellerUser }] = (
    await sql.query(`INSERT INTO app_user (id, email, name, password_hash, role)
                     VALUES (gen_random_uuid(), 's@bench', 'S', 'x', 'SELLER') RETURNING id`)
  ).rows;
  const [{ id: seller }] = (
    await sql.query(
      `INSERT INTO seller (id, user_id, name) VALUES (gen_random_uuid(), $1, 'S') RETURNING id`,
      [sellerUser],
    )
  ).rows;
  // One paid checkout (with one order) per settlement row; every 100th order differs in amount so
  // mismatches exist.
  await sql.query(
    `INSERT INTO payment_event (id, buyer_id, idempotency_key, request_hash, currency, total_amount, status, risk_decision,
                                psp_charge_id, is_payment_done, created_at, updated_at)
     SELECT gen_random_uuid(), $1, 'k' || i, 'h', 'usd', 1000 + i % 5000 + (CASE WHEN i % 100 = 0 THEN 1 ELSE 0 END),
            'SUCCEEDED', 'ALLOW', 'ch_' || i, true, now(), now()
       FROM generate_series(1, $2) i`,
    [buyer, rows],
  );
  await sql.query(
    `INSERT INTO payment_order (id, payment_event_id, seller_id, amount, commission, currency, items, status, ledger_updated, wallet_updated)
     SELECT gen_random_uuid(), id, $1, total_amount, total_amount / 10, 'usd', '[]', 'SUCCESS', true, true FROM payment_event`,
    [seller],
  );
  await sql.query(
    `COPY (SELECT 'txn_' || i, 'charge', 'ch_' || i, 1000 + i % 5000, ((1000 + i % 5000) * 580 + 10000) / 20000 + 30,
                  1000 + i % 5000 - (((1000 + i % 5000) * 580 + 10000) / 20000 + 30), 'usd', now(), 'API'
             FROM generate_series(1, $1) i) TO '${file}' WITH (FORMAT csv)`.replace("$1", String(rows)),
  );
  console.log(`recon benchmark: ${rows.toLocaleString("en-US")} settlement rows`);
  let started = performance.now();
  await sql.query(
    `COPY settlement_record (psp_balance_transaction_id, type, source_id, amount, fee, net, currency, created_at_psp, origin) FROM '${file}' WITH (FORMAT csv)`,
  );
  const copyMs = performance.now() - started;
  console.log(`plain COPY of the rows            ${seconds(copyMs)}`);
  await sql.query("VACUUM ANALYZE"); // what autovacuum does after a load; index-only probes need it

  const [{ id: runId }] = (
    await sql.query(
      `INSERT INTO recon_run (id, period_start, period_end) VALUES (gen_random_uuid(), now() - interval '1 day', now() + interval '1 day') RETURNING id`,
    )
  ).rows;
  if (process.env.RECON_EXPLAIN) {
    const plan = await sql.query(`EXPLAIN (ANALYZE, BUFFERS) ${BATCH_SQL}`, [
      runId,
      new Date(Date.now() - 86_400_000),
      new Date(Date.now() + 86_400_000),
      1,
      rows,
      290,
      30,
    ]);
    console.log(plan.rows.map((row) => row["QUERY PLAN"]).join("\n"));
    await sql.query("DELETE FROM recon_item");
  }
  const rss = process.memoryUsage().rss;
  started = performance.now();
  let batches = 0;
  const result = await matchSettlements(
    db,
    runId,
    { start: new Date(Date.now() - 86_400_000), end: new Date(Date.now() + 86_400_000) },
    async () => {
      batches++;
    },
    { parallel: Number(process.env.RECON_MATCH_PARALLEL ?? 2) },
  );
  const matchMs = performance.now() - started;
  console.log(`reconcile (match + classify)      ${seconds(matchMs)} in ${batches} batches`);
  const [{ items }] = (await sql.query(`SELECT count(*)::int AS items FROM recon_item`)).rows;
  console.log(
    `  ${result.records.toLocaleString("en-US")} records, ${result.mismatched.toLocaleString("en-US")} with a mismatch (${items} items), ${result.missingAtPsp} missing at the PSP`,
  );
  console.log(`ratio reconcile / COPY             ${(matchMs / copyMs).toFixed(2)}`);
  console.log(
    `benchmark process RSS growth       ${((process.memoryUsage().rss - rss) / 1024 / 1024).toFixed(0)} MiB`,
  );
} finally {
  await sql.end();
  await db.$disconnect();
  await cluster.stop();
}
