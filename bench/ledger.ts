// Ledger posting throughput on PostgreSQL: one posting per database transaction (16 in flight,
// all touching the hot system accounts), and batches of 500 per transaction.
//   npm run bench -- ledger [postings=20000]
import { randomUUID } from "node:crypto";
import { createPostgresClient } from "@/server/db";
import { accountBalance, refreshBalanceCheckpoints } from "@/server/ledger/balances";
import { checkLedgerInvariants } from "@/server/ledger/invariants";
import {
  ensureSellerAccounts,
  postTransaction,
  postTransactions,
  type TransactionInput,
} from "@/server/ledger/post-transaction";
import { benchDatabase, perSecond, runConcurrently } from "./lib";

const total = Number(process.argv[2] ?? 20_000);
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
  const single = Math.min(total, 5_000);
  const singleMs = await runConcurrently(single, 16, async (index) => {
    await db.$transaction((tx) => postTransaction(tx, payin(sellers[index % sellers.length]!.id)));
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
  const invariants = await checkLedgerInvariants(db);
  console.log(`ledger: ${single} single postings, 16 in flight: ${perSecond(single, singleMs)} postings/s`);
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
