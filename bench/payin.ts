// Pay-in throughput on PostgreSQL with the PSP emulator (its own process, through the stripe SDK).
//   npm run bench:payin -- [checkouts=4000] [parallel=64]   (or: npm run bench -- payin …)
// Three phases, each on `checkouts` fresh checkouts with `parallel` in flight:
//   1. create: the checkout API call alone (session, idempotent insert, risk check, PSP
//      session), with its p50/p99 latency;
//   2. success: recording the PSP's success alone (lock, postings, wallets, transitions), called
//      as the webhook processor calls it, so group-committed as there;
//   3. end to end: checkout call → the buyer pays at the hosted page it answered with → signed
//      payment_intent.succeeded → Payrail's receiver (verify, store) → processor (at once; the
//      sweep's job is the backup) → ledger. Completed checkouts/s counts checkouts whose
//      payment is SUCCEEDED and posted, from the first call to the last success; the checkout
//      call's p50/p99 is measured under that full load. A warm-up round goes first, unmeasured,
//      so the figures are those of a running server, not of its first second (JIT compiling).
// Before it PostgreSQL's statistics are refreshed (ANALYZE), as autovacuum keeps them on a live
// database; without them it plans the batch statements on empty-table guesses (a scan of every
// order per batch), which a run that grows its tables from nothing in seconds would measure.
// (Phases 1 and 2 start on nearly empty tables, where statistics taken then would mislead more.)
// CPU per checkout is reported for this process (Payrail), PostgreSQL and the emulator apart; the
// buyers' side (paying at the hosted page) runs in this process too, so counts as Payrail's.
// Last, a short pgbench TPC-B on the same server gives the machine's speed of the moment, to
// compare runs made on different days (docs/benchmarks.md).
// BENCH_STATEMENTS=1 also prints the statements PostgreSQL spent the end-to-end phase on.
// PostgreSQL runs durable, as production must (fsync, full-page writes, synchronous commit): the
// group commits amortise the flushes, so this costs no throughput (docs/benchmarks.md).
import { spawn } from "node:child_process";
import { randomUUID } from "node:crypto";
import { once } from "node:events";
import { availableParallelism } from "node:os";
import { freePort } from "@/scripts/lib/postgres-cluster";
import { closeDb, createPostgresClient } from "@/server/db";
import { stopBoss } from "@/server/jobs/boss";
import { startWorker } from "@/server/jobs/worker";
import { checkLedgerInvariants } from "@/server/ledger/invariants";
import { recordPaymentSucceeded } from "@/server/payin/record-outcome";
import { sweepUnprocessedWebhooks } from "@/server/payin/webhooks";
import { sessionIdOfPageUrl } from "@/server/psp/emulator/hosted-page";
import { httpPost } from "@/server/psp/emulator/http-post";
import { callerWithToken, sessionFor } from "@/server/test/callers";
import { startWebhookReceiver } from "@/server/test/webhook-receiver";
import {
  benchDatabase,
  cpuMs,
  percentile,
  perSecond,
  pgbenchTpcb,
  processCpuMs,
  runConcurrently,
  statementStats,
} from "./lib";

const total = Number(process.argv[2] ?? 4_000);
const parallel = Number(process.argv[3] ?? 64);
const WEBHOOK_SECRET = "whsec_bench";
// Payrail reaches its database over the Unix socket, as an app beside its database would.
const withStatements = process.env.BENCH_STATEMENTS === "1";
const { cluster, url } = await benchDatabase({
  socket: true,
  statementStats: withStatements,
  durable: true,
});
const statements = statementStats(url);
Object.assign(process.env, {
  DATABASE_URL: url, // the pg-boss worker and its process-wide client
  DATABASE_POOL_SIZE: String(parallel + 4),
  PSP_WEBHOOK_SECRETS: WEBHOOK_SECRET,
  LOG_LEVEL: "error",
});
const db = createPostgresClient(url, parallel + 4);

// Payrail's webhook endpoint, as the Next route runs it.
const receiver = await startWebhookReceiver(db, WEBHOOK_SECRET);
// The PSP in its own process, as it would be: its CPU is reported apart from Payrail's.
const emulatorPort = await freePort();
const emulatorProcess = spawn(process.execPath, ["--import", "tsx", "scripts/psp-emulator.ts"], {
  env: {
    ...process.env,
    PSP_EMULATOR_PORT: String(emulatorPort),
    PSP_EMULATOR_SNAPSHOT: "off",
    PSP_WEBHOOK_URL: receiver.url,
  },
  stdio: ["ignore", "pipe", "inherit"],
});
await new Promise<void>((resolve, reject) => {
  emulatorProcess.stdout.on("data", (chunk) => {
    if (String(chunk).includes("listening")) resolve();
  });
  emulatorProcess.once("exit", () => reject(new Error("the PSP emulator exited")));
});
const emulator = { url: `http://127.0.0.1:${emulatorPort}` };
process.env.PSP_EMULATOR_URL = emulator.url;
let worker: Awaited<ReturnType<typeof startWorker>> | null = null;

// Enough buyers that each makes at most 8 checkouts in the run (phases 1 and 3, the warm-up), as
// on a real marketplace: the risk rules run with their defaults, velocity limit (10 in 10
// minutes) included.
const SELLERS = 20;
const warmup = Math.min(1_000, Math.ceil(total / 4));
const buyerCount = Math.max(1_000, Math.ceil((2 * total + warmup) / 8));

try {
  const users = await db.user.createManyAndReturn({
    data: Array.from({ length: SELLERS + buyerCount }, (_, index) => ({
      email: `u${index}@bench`,
      name: `User ${index}`,
      passwordHash: "x",
      role: index < SELLERS ? ("SELLER" as const) : ("BUYER" as const),
    })),
  });
  const sellers = await db.seller.createManyAndReturn({
    data: users
      .filter((user) => user.role === "SELLER")
      .map((user) => ({ userId: user.id, name: user.name })),
  });
  const products = await db.product.createManyAndReturn({
    data: sellers.flatMap((seller, index) => [
      { sellerId: seller.id, name: `A${index}`, price: 1_250n + BigInt(index) },
      { sellerId: seller.id, name: `B${index}`, price: 3_999n },
    ]),
  });
  const buyers = users.filter((user) => user.role === "BUYER");
  // Each buyer signed in: the checkout call goes through the API as a browser's request reaches it
  // (session cookie → context → auth and rate-limit middleware → input validation → procedure),
  // leaving out only HTTP parsing and Next's routing.
  const tokens = await Promise.all(buyers.map((buyer) => sessionFor(db, buyer.id)));
  const checkout = async (index: number, latencies: number[]) => {
    const items = [products[index % products.length]!, products[(index * 7 + 3) % products.length]!];
    const started = performance.now();
    const api = await callerWithToken(db, tokens[index % buyers.length]);
    const created = await api.payin.checkout({
      idempotencyKey: randomUUID(),
      items: [...new Set(items.map((product) => product.id))].map((productId) => ({
        productId,
        quantity: 1,
      })),
    });
    latencies.push(performance.now() - started);
    return created;
  };
  const succeeded = () => db.paymentEvent.count({ where: { status: "SUCCEEDED" } });
  // The buyer's browser goes to the hosted page the checkout call answered with, and pays there.
  const payAtPsp = async (paymentUrl: string | null) => {
    const response = await httpPost(
      `${emulator.url}/_emulator/checkout_sessions/${sessionIdOfPageUrl(paymentUrl)}/complete`,
      JSON.stringify({ card: "4242424242424242" }),
      { "content-type": "application/json" },
    );
    return (JSON.parse(response.body) as { status?: string }).status === "paid";
  };
  /** Waits until `count` more checkouts than `before` have succeeded (or two minutes passed). */
  const successesSince = async (before: number, count: number) => {
    const deadline = Date.now() + 120_000;
    let completed = (await succeeded()) - before;
    while (completed < count && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 50));
      completed = (await succeeded()) - before;
    }
    return completed;
  };

  // CPU per checkout of a phase, this process, PostgreSQL and the emulator apart: where the work goes.
  const cpuNow = () => ({ ...cpuMs(cluster), emulator: processCpuMs(emulatorProcess.pid!) });
  const cpuOf = (from: ReturnType<typeof cpuNow>, count: number) => {
    const to = cpuNow();
    const node = (to.node - from.node) / count;
    const postgres = (to.postgres - from.postgres) / count;
    const emulator = (to.emulator - from.emulator) / count;
    return {
      text: `CPU per checkout: Payrail ${node.toFixed(2)} ms, postgres ${postgres.toFixed(2)} ms, PSP emulator ${emulator.toFixed(2)} ms`,
      totalMs: node + postgres + emulator,
      withoutPspMs: node + postgres,
    };
  };

  // 1. The checkout call alone.
  let cpu = cpuNow();
  const createLatencies: number[] = [];
  const checkoutIds: string[] = [];
  const checkoutMs = await runConcurrently(total, parallel, async (index) => {
    checkoutIds.push((await checkout(index, createLatencies)).checkoutId);
  });
  const createCpu = cpuOf(cpu, total);
  const withSession = await db.paymentEvent.count({ where: { pspSessionId: { not: null } } });

  // 2. The success transaction alone.
  cpu = cpuNow();
  const successMs = await runConcurrently(checkoutIds.length, parallel, async (index) => {
    await recordPaymentSucceeded(db, checkoutIds[index]!, {
      paymentIntentId: null,
      chargeId: null,
      actor: "bench",
    });
  });

  const successCpu = cpuOf(cpu, checkoutIds.length);

  // 3. End to end through the emulator, the webhooks and the worker.
  worker = await startWorker();
  const warmedFrom = await succeeded();
  await runConcurrently(warmup, parallel, async (index) => {
    await payAtPsp((await checkout(2 * total + index, [])).paymentUrl);
  });
  await successesSince(warmedFrom, warmup);
  await db.$executeRawUnsafe("ANALYZE");
  if (withStatements) await statements.reset();
  cpu = cpuNow();
  const before = await succeeded();
  const e2eLatencies: number[] = [];
  const answersBefore = receiver.answerMs.length;
  const e2eStarted = performance.now();
  const paid = { ok: 0, failed: 0 };
  await runConcurrently(total, parallel, async (index) => {
    const { paymentUrl } = await checkout(total + index, e2eLatencies);
    paid[(await payAtPsp(paymentUrl)) ? "ok" : "failed"]++;
  });
  const callsMs = performance.now() - e2eStarted;
  const completed = await successesSince(before, paid.ok);
  const e2eMs = performance.now() - e2eStarted;
  const e2eCpu = cpuOf(cpu, total);
  const webhookAnswers = receiver.answerMs.slice(answersBefore);
  // The minute's sweep, run now: events the endpoint left unprocessed would get a job here.
  const leftUnprocessed = await sweepUnprocessedWebhooks(db, 0);
  const busiest = withStatements ? await statements.top(25) : [];

  const invariants = await checkLedgerInvariants(db);
  // The machine's speed of the moment (it varies by half between days on a shared VM): the same
  // standard workload on the same server, after the phases so it does not disturb them.
  const yardstick = await pgbenchTpcb(cluster, {
    scale: 1,
    clients: 16,
    threads: 1,
    seconds: 5,
    asyncCommit: true,
  });
  console.log(
    `payin create: ${total} checkouts (2 sellers each, PSP session included), ${parallel} in flight: ${perSecond(total, checkoutMs)} checkouts/s, latency p50 ${percentile(createLatencies, 50)} ms, p99 ${percentile(createLatencies, 99)} ms`,
  );
  console.log(`payin create: ${withSession} of ${total} checkouts got their PSP session; ${createCpu.text}`);
  console.log(
    `payin success: ${checkoutIds.length} successes recorded and posted: ${perSecond(checkoutIds.length, successMs)} checkouts/s; ${successCpu.text}`,
  );
  console.log(
    `payin end to end: ${completed} of ${total} checkouts completed (paid ${paid.ok}, declined ${paid.failed}) in ${(e2eMs / 1000).toFixed(1)} s: ${perSecond(completed, e2eMs)} completed checkouts/s`,
  );
  console.log(
    `payin end to end: checkout call p50 ${percentile(e2eLatencies, 50)} ms, p99 ${percentile(e2eLatencies, 99)} ms; calls and payments done in ${(callsMs / 1000).toFixed(1)} s; ${e2eCpu.text}`,
  );
  console.log(
    `payin end to end: ${webhookAnswers.length} webhooks answered, p50 ${percentile(webhookAnswers, 50)} ms, p99 ${percentile(webhookAnswers, 99)} ms; events left for the sweep's backup jobs: ${leftUnprocessed}`,
  );
  // What the machine could sustain if nothing but checkouts ran, whatever this run's rate was.
  const cores = availableParallelism();
  const ceiling = (ms: number) =>
    `${ms.toFixed(2)} ms of CPU per checkout = at most ${Math.floor((cores * 1000) / ms)} checkouts/s`;
  console.log(`payin ceiling: ${cores} cores / ${ceiling(e2eCpu.totalMs)} on this machine`);
  // In production the PSP runs elsewhere: Payrail and PostgreSQL alone on the same cores.
  console.log(
    `payin ceiling without the PSP emulator's share: ${cores} cores / ${ceiling(e2eCpu.withoutPspMs)}`,
  );
  console.log(
    `machine yardstick: pgbench TPC-B (scale 1, 16 clients, 5 s, commits not waiting for the disk) on this server: ${Math.round(yardstick.tps).toLocaleString("en-US")} tps`,
  );
  if (withStatements) console.log(`PostgreSQL's busiest statements, end to end:\n${busiest.join("\n")}`);
  console.log(
    `ledger invariants after the run: ${invariants.ok ? "hold" : JSON.stringify(invariants.violations)}`,
  );
} finally {
  await worker?.stop();
  await stopBoss();
  emulatorProcess.kill("SIGTERM");
  await once(emulatorProcess, "exit");
  await receiver.close();
  await db.$disconnect();
  await closeDb();
  await cluster.stop();
}
