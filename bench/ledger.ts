// Ledger posting throughput on PostgreSQL: one posting per database transaction (16 in flight,
// all touching the hot system accounts), and batches of 500 per transaction; and pgbench TPC-B
// with as many clients on the same server, as a yardstick for the single postings.
//   npm run bench -- ledger [postings=20000]
import { randomUUID } from "node:crypto";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { createPostgresClient } from "@/server/db";
import { accountBalance, refreshBalanceCheckpoints } from "@/server/ledger/balances";
import { checkLedgerInvariants } from "@/server/ledger/invariants";
import {
  ensureSellerAccounts,
  postTransaction,
  postTransactions,
  type TransactionInput,
} from "@/server/ledger/post-transaction";
import { benchDatabase, perSecond, pgbenchRun, pgbenchTpcb, runConcurrently } from "./lib";

const total = Number(process.argv[2] ?? 20_000);
const clients = 16;
const prefill = 100_000;
const { cluster, url } = await benchDatabase();
const db = createPostgresClient(url, 32);
try {
  const passwordless = await db.user.createManyAndReturn({
    data: Array.from({ length: 100 }, (_, index) => ({
      email: `s${index}@bench`,
      name: `S${index}`,
      passwordHash: "x",
      role: "SELLER" as const,
    })),
  });
  const sellers = await db.seller.createManyAndReturn({
    data: passwordless.map((user) => ({ userId: user.id, name: user.name })),
  });
  for (const seller of sellers) await ensureSellerAccounts(db, seller.id, "usd");
  const payin = (sellerId: string): TransactionInput => ({
    kind: "payin",
    reference: randomUUID(),
    currency: "usd",
    entries: [
      { account: "psp_clearing", direction: "DEBIT", amount: 10_000n },
      { account: `seller_pending:${sellerId}`, direction: "CREDIT", amount: 9_000n },
      { account: "commission_revenue", direction: "CREDIT", amount: 1_000n },
    ],
  });
  // A running ledger is not empty and its statistics are current. On empty tables PostgreSQL
  // plans the foreign-key and check queries as sequential scans and keeps those plans on the
  // pool's connections until statistics change, so each posting would cost more than the last.
  const prefillStarted = performance.now();
  for (let batch = 0; batch < prefill / 1_000; batch++) {
    const postings = Array.from({ length: 1_000 }, (_, item) =>
      payin(sellers[(batch * 1_000 + item) % sellers.length]!.id),
    );
    await db.$transaction((tx) => postTransactions(tx, postings), { timeout: 60_000 });
  }
  await db.$executeRawUnsafe("ANALYZE");
  const prefillMs = performance.now() - prefillStarted;
  // The yardstick first, on its own database (scale 1: one branch row all clients update, as all
  // our postings touch psp_clearing), so its set-up is over before we measure ours.
  const pgbench = await pgbenchTpcb(cluster, { scale: 1, clients, threads: 1, seconds: 10 });
  // With the plain client a posting is one statement, so its own database transaction. As many
  // as the batches, so the run lasts about as long as pgbench's.
  const single = total;
  const singleMs = await runConcurrently(single, clients, async (index) => {
    await postTransaction(db, payin(sellers[index % sellers.length]!.id));
  });
  const batches = Math.ceil(total / 500);
  const batchedMs = await runConcurrently(batches, 4, async (index) => {
    const batch = Array.from({ length: 500 }, (_, item) =>
      payin(sellers[(index * 500 + item) % sellers.length]!.id),
    );
    await db.$transaction((tx) => postTransactions(tx, batch), { timeout: 60_000 });
  });
  // Hot-account reads: a full scan of psp_clearing's entries, then checkpoint + the tail.
  let started = performance.now();
  const unsealed = await accountBalance(db, "psp_clearing");
  const unsealedMs = performance.now() - started;
  started = performance.now();
  await refreshBalanceCheckpoints(db);
  const sealMs = performance.now() - started;
  started = performance.now();
  const sealed = await accountBalance(db, "psp_clearing");
  const sealedMs = performance.now() - started;
  if (sealed !== unsealed) throw new Error(`checkpoint changed the balance: ${unsealed} → ${sealed}`);
  // The same postings through ledger_post driven by pgbench's C client instead of Node + Prisma:
  // what the database side of a posting costs next to a TPC-B transaction.
  const scripts = mkdtempSync(path.join(tmpdir(), "payrail-pgbench-"));
  const scriptFiles = sellers.slice(0, 10).map((seller, index) => {
    const file = path.join(scripts, `post-${index}.sql`);
    writeFileSync(
      file,
      `\\set r random(1, 9000000000000000)
SELECT * FROM ledger_post('payin', 'pgbench-' || :client_id || '-' || :r, 'usd', '', 'x',
  ARRAY['psp_clearing', 'seller_pending:${seller.id}', 'commission_revenue'],
  ARRAY['DEBIT', 'CREDIT', 'CREDIT']::"EntryDirection"[], ARRAY[10000, 9000, 1000]::bigint[],
  ARRAY['${seller.id}']::uuid[], ARRAY[9000]::bigint[], ARRAY[0]::bigint[]);
`,
    );
    return file;
  });
  const fromPgbench = await pgbenchRun(url, scriptFiles, { clients, threads: 1, seconds: 10 });
  rmSync(scripts, { recursive: true, force: true });

  const invariants = await checkLedgerInvariants(db);
  console.log(
    `ledger prefilled with ${prefill.toLocaleString("en-US")} postings and analysed in ${(prefillMs / 1000).toFixed(1)} s`,
  );
  const singleRate = (single / singleMs) * 1000;
  console.log(
    `ledger: ${single} single postings, ${clients} in flight: ${perSecond(single, singleMs)} postings/s`,
  );
  console.log(
    `pgbench TPC-B, scale ${pgbench.scale}, ${pgbench.clients} clients, ${pgbench.threads} thread, ${pgbench.seconds} s: ${Math.round(pgbench.tps).toLocaleString("en-US")} tps; single postings = ${(singleRate / pgbench.tps).toFixed(2)}× pgbench`,
  );
  console.log(
    `ledger_post driven by pgbench (no Node/Prisma), ${clients} clients, 1 thread, 10 s: ${Math.round(fromPgbench).toLocaleString("en-US")} postings/s = ${(fromPgbench / pgbench.tps).toFixed(2)}× pgbench TPC-B`,
  );
  console.log(
    `ledger: ${batches * 500} postings in batches of 500, 4 in flight: ${perSecond(batches * 500, batchedMs)} postings/s`,
  );
  console.log(
    `psp_clearing balance without checkpoint: ${unsealedMs.toFixed(1)} ms; sealing all system accounts: ${sealMs.toFixed(1)} ms; balance from checkpoint: ${sealedMs.toFixed(1)} ms`,
  );
  console.log(
    `ledger invariants after the run: ${invariants.ok ? "hold" : JSON.stringify(invariants.violations)}`,
  );
} finally {
  await db.$disconnect();
  await cluster.stop();
}
