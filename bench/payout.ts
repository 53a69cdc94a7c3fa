// Payout run benchmark: a throwaway PostgreSQL, N sellers with available balances seeded by bulk
// SQL, then (1) the snapshot + ledger posting transaction of one run and (2) the transfers of all
// its payouts against the PSP emulator (in this process). Usage: tsx bench/payout.ts [N=100000]
import pg from "pg";
import { createPostgresClient } from "@/server/db";
import { stopBoss } from "@/server/jobs/boss";
import { checkLedgerInvariants } from "@/server/ledger/invariants";
import { createPayoutRun } from "@/server/payout/create-run";
import { driveRun } from "@/server/payout/transfers";
import { startPspEmulator } from "@/server/psp/emulator/server";
import { benchDatabase } from "./lib";

const sellers = Number(process.argv[2] ?? 100_000);
const parallel = Number(process.env.BENCH_PARALLEL ?? 16);
const mib = (kib: number) => `${(kib / 1024).toFixed(0)} MiB`;
const seconds = (ms: number) => `${(ms / 1000).toFixed(2)} s`;

async function timed<T>(label: string, work: () => Promise<T>): Promise<[T, number]> {
  const start = performance.now();
  const result = await work();
  const elapsed = performance.now() - start;
  console.log(`${label.padEnd(34)} ${seconds(elapsed)}`);
  return [result, elapsed];
}

const { cluster, url } = await benchDatabase();
const emulator = await startPspEmulator({ port: 0 });
try {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  process.env.DATABASE_URL = url;
  process.env.PSP_EMULATOR_URL = emulator.url;
  process.env.LOG_LEVEL = "error";
  process.env.PAYRAIL_RATE_LIMITS = "off";

  console.log(`payout benchmark: ${sellers} sellers, ${parallel} transfers in flight`);
  // Connected accounts straight in the emulator's engine (its HTTP API would be the bottleneck).
  const accounts = Array.from({ length: sellers }, () => emulator.engine.createAccount({ metadata: {} }).id);
  await timed("seed (bulk SQL)", async () => {
    await client.query("BEGIN");
    await client.query(
      `INSERT INTO app_user (id, email, name, password_hash, role)
       SELECT gen_random_uuid(), 'seller' || i || '@bench.local', 'Seller ' || i, 'x', 'SELLER' FROM generate_series(1, $1) i`,
      [sellers],
    );
    await client.query(
      `INSERT INTO seller (id, user_id, name) SELECT gen_random_uuid(), id, name FROM app_user WHERE role = 'SELLER'`,
    );
    await client.query(
      `INSERT INTO ledger_account (code, type, currency, seller_id)
       SELECT 'seller_' || b || ':' || s.id, 'LIABILITY', 'usd', s.id FROM seller s, (VALUES ('pending'), ('available')) v(b)`,
    );
    // One balanced seed transaction per seller ($10.00 – $1,009.99), entries and wallet alike.
    await client.query(
      `CREATE TEMP TABLE seed AS
       SELECT s.id AS seller_id, (1000 + (row_number() OVER (ORDER BY s.id) * 7919) % 100000)::bigint AS amount
         FROM seller s`,
    );
    await client.query(
      `INSERT INTO ledger_transaction (kind, reference, currency, input_hash)
       SELECT 'bench.seed', seller_id::text, 'usd', md5(seller_id::text) FROM seed`,
    );
    await client.query(
      `INSERT INTO ledger_entry (transaction_id, account_id, direction, amount)
       SELECT t.id, a.id, d.direction::"EntryDirection", seed.amount
         FROM seed JOIN ledger_transaction t ON t.kind = 'bench.seed' AND t.reference = seed.seller_id::text
         CROSS JOIN (VALUES ('DEBIT'), ('CREDIT')) d(direction)
         JOIN ledger_account a ON a.code = CASE d.direction WHEN 'DEBIT' THEN 'psp_clearing' ELSE 'seller_available:' || seed.seller_id END`,
    );
    await client.query(
      `INSERT INTO wallet (seller_id, currency, available) SELECT seller_id, 'usd', amount FROM seed`,
    );
    await client.query(
      `INSERT INTO payout_settings (seller_id, psp_account_id)
       SELECT seller_id, ($1::text[])[row_number() OVER (ORDER BY seller_id)] FROM seed`,
      [accounts],
    );
    // Benchmarks measure the money path, not the human approving it.
    await client.query("UPDATE payout_policy SET require_approval = false, approval_threshold = NULL");
    await client.query("COMMIT");
    await client.query("ANALYZE");
  });

  const db = createPostgresClient(url, 20);
  const [run, snapshotMs] = await timed("snapshot + posting (1 transaction)", () =>
    createPayoutRun(db, { trigger: "manual", onlyDue: false, actor: null }),
  );
  console.log(`  run ${run.id}: ${run.payoutCount} payouts, ${run.totalAmount} minor units, ${run.status}`);
  const [sent, transferMs] = await timed("transfers (emulator)", () =>
    driveRun(db, run.id, { batchSize: 200, parallel }),
  );
  const states = await db.payout.groupBy({ by: ["status"], _count: { _all: true } });
  console.log(
    `  ${sent} sent, ${(sent / (transferMs / 1000)).toFixed(0)} transfers/s;`,
    states.map((s) => `${s.status} ${s._count._all}`).join(", "),
  );
  const [invariants] = await timed("ledger invariants", () => checkLedgerInvariants(db));
  console.log(`  invariants ok: ${invariants.ok} (${invariants.violations.length} violations)`);
  console.log(
    `snapshot rate ${(run.payoutCount / (snapshotMs / 1000)).toFixed(0)} sellers/s; peak RSS ${mib(process.resourceUsage().maxRSS)}`,
  );
  await db.$disconnect();
  await client.end();
} finally {
  await stopBoss();
  await emulator.close();
  await cluster.stop();
}
