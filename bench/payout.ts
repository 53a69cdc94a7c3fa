// Payout run benchmark: a throwaway PostgreSQL, N sellers with available balances seeded by bulk
// SQL, then (1) the snapshot + ledger posting transaction of one run and (2) the transfers of all
// its payouts against the PSP emulator, then the ledger invariants.
// Usage: npm run bench:payout [-- N=100000]   (or npm run bench -- payout [N])
// Environment: BENCH_DRIVERS concurrent drivers of the run (4), BENCH_PARALLEL transfers in flight
// per driver (16), BENCH_BATCH payouts claimed per batch (500), BENCH_EMULATOR `process` (the
// emulator in a child process, as a PSP is another machine; default) or `inline` (this process).
import { type ChildProcess, fork } from "node:child_process";
import { fileURLToPath } from "node:url";
import pg from "pg";
import { createPostgresClient } from "@/server/db";
import { stopBoss } from "@/server/jobs/boss";
import { checkLedgerInvariants } from "@/server/ledger/invariants";
import { createPayoutRun } from "@/server/payout/create-run";
import { type PayoutPsp, payoutPsp } from "@/server/payout/psp";
import { type DriveTimings, driveRun } from "@/server/payout/transfers";
import { type EmulatorHandle, startPspEmulator } from "@/server/psp/emulator/server";
import { benchDatabase, cpuMs as clusterCpuMs } from "./lib";

type ToChild = { type: "accounts"; count: number } | { type: "stats" } | { type: "close" };
type FromChild =
  | { type: "ready"; url: string }
  | { type: "accounts"; ids: string[] }
  | { type: "stats"; maxRssKib: number; cpuMs: number; transfers: number };

// The emulator's side when BENCH_EMULATOR=process: this file forked with --emulator-child.
if (process.argv.includes("--emulator-child")) {
  const emulator = await startPspEmulator({ port: 0 });
  const send = (message: FromChild) => process.send!(message);
  process.on("message", async (message: ToChild) => {
    if (message.type === "accounts") {
      // Connected accounts straight in the engine (its HTTP API would be the bottleneck).
      const ids = Array.from(
        { length: message.count },
        () => emulator.engine.createAccount({ metadata: {} }).id,
      );
      send({ type: "accounts", ids });
    } else if (message.type === "stats") {
      const { user, system } = process.cpuUsage();
      send({
        type: "stats",
        maxRssKib: process.resourceUsage().maxRSS,
        cpuMs: (user + system) / 1000,
        transfers: Object.keys(emulator.engine.store.state.transfers).length,
      });
    } else {
      await emulator.close();
      process.exit(0);
    }
  });
  send({ type: "ready", url: emulator.url });
} else {
  await main();
}

/** The PSP emulator, in this process or in a child, behind one small interface. */
interface BenchEmulator {
  url: string;
  createAccounts(count: number): Promise<string[]>;
  stats(): Promise<{ maxRssKib: number; cpuMs: number; transfers: number } | null>;
  close(): Promise<void>;
}

async function inlineEmulator(): Promise<BenchEmulator> {
  const emulator: EmulatorHandle = await startPspEmulator({ port: 0 });
  return {
    url: emulator.url,
    createAccounts: async (count) =>
      Array.from({ length: count }, () => emulator.engine.createAccount({ metadata: {} }).id),
    stats: async () => null,
    close: () => emulator.close(),
  };
}

async function childEmulator(): Promise<BenchEmulator> {
  const child: ChildProcess = fork(fileURLToPath(import.meta.url), ["--emulator-child"], {
    execArgv: process.execArgv,
  });
  const next = <T extends FromChild["type"]>(type: T) =>
    new Promise<Extract<FromChild, { type: T }>>((resolve, reject) => {
      const onMessage = (message: FromChild) => {
        if (message.type !== type) return;
        child.off("message", onMessage);
        resolve(message as Extract<FromChild, { type: T }>);
      };
      child.on("message", onMessage);
      child.once("exit", (code) => reject(new Error(`emulator process exited (${code})`)));
    });
  const { url } = await next("ready");
  const ask = async <T extends FromChild["type"]>(message: ToChild, type: T) => {
    const answer = next(type);
    child.send(message);
    return answer;
  };
  return {
    url,
    createAccounts: async (count) => (await ask({ type: "accounts", count }, "accounts")).ids,
    stats: async () => ask({ type: "stats" }, "stats"),
    close: async () => {
      const exited = new Promise((resolve) => child.once("exit", resolve));
      child.send({ type: "close" });
      await exited;
    },
  };
}

async function main() {
  const sellers = Number(process.argv[2] ?? 100_000);
  const drivers = Number(process.env.BENCH_DRIVERS ?? 4);
  const parallel = Number(process.env.BENCH_PARALLEL ?? 16);
  const batchSize = Number(process.env.BENCH_BATCH ?? 500);
  const emulatorMode = process.env.BENCH_EMULATOR === "inline" ? "inline" : "process";
  const mib = (bytes: number) => `${(bytes / 2 ** 20).toFixed(0)} MiB`;
  const seconds = (ms: number) => `${(ms / 1000).toFixed(2)} s`;
  const maxRss = () => process.resourceUsage().maxRSS * 1024;
  const timed = async <T>(label: string, work: () => Promise<T>): Promise<[T, number]> => {
    const start = performance.now();
    const result = await work();
    const elapsed = performance.now() - start;
    console.log(`${label.padEnd(36)} ${seconds(elapsed)}   (RSS now ${mib(process.memoryUsage.rss())})`);
    return [result, elapsed];
  };

  const { cluster, url } = await benchDatabase();
  const emulator = emulatorMode === "inline" ? await inlineEmulator() : await childEmulator();
  try {
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    process.env.DATABASE_URL = url;
    process.env.PSP_EMULATOR_URL = emulator.url;
    process.env.LOG_LEVEL = "error";
    process.env.PAYRAIL_RATE_LIMITS = "off";

    console.log(
      `payout benchmark: ${sellers} sellers; ${drivers} drivers × ${parallel} transfers in flight, ` +
        `batches of ${batchSize}; emulator ${emulatorMode === "inline" ? "in this process" : "in a child process"}`,
    );
    await timed("seed (bulk SQL)", async () => {
      const accounts = await emulator.createAccounts(sellers);
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
    const afterSeedRss = maxRss();

    const db = createPostgresClient(url, 20);
    const snapshotCpuBefore = clusterCpuMs(cluster).postgres;
    const [run, snapshotMs] = await timed("snapshot + posting (1 transaction)", () =>
      createPayoutRun(db, { trigger: "manual", onlyDue: false, actor: null }),
    );
    console.log(
      `  run ${run.id}: ${run.payoutCount} payouts, ${run.totalAmount} minor units, ${run.status}; ` +
        `PostgreSQL CPU ${seconds(clusterCpuMs(cluster).postgres - snapshotCpuBefore)}`,
    );
    const afterSnapshotRss = maxRss();

    // Memory during the transfers: sampled every second with the progress (transfers answered).
    let answered = 0;
    const real = payoutPsp();
    const psp: PayoutPsp = {
      ...real,
      createTransfer: async (input) => {
        try {
          return await real.createTransfer(input);
        } finally {
          answered++;
        }
      },
    };
    // With --expose-gc (npm run bench:payout -- N, see package.json) the heap is measured after a
    // collection, so garbage not yet collected does not look like growth.
    const gc = (globalThis as { gc?: () => void }).gc;
    const samples: { done: number; rss: number; heap: number }[] = [];
    const sample = () => {
      gc?.();
      samples.push({ done: answered, rss: process.memoryUsage.rss(), heap: process.memoryUsage().heapUsed });
    };
    const sampler = setInterval(sample, 1000);
    const timings: DriveTimings = { claimMs: 0, sendMs: 0, recordMs: 0, batches: 0 };
    const cpuBefore = clusterCpuMs(cluster);
    const pspCpuBefore = (await emulator.stats())?.cpuMs ?? 0;
    const [counts, transferMs] = await timed(`transfers (${drivers} drivers)`, () =>
      Promise.all(
        Array.from({ length: drivers }, () => driveRun(db, run.id, { batchSize, parallel, psp, timings })),
      ),
    );
    clearInterval(sampler);
    const cpuAfter = clusterCpuMs(cluster);
    const driverCpuMs = cpuAfter.node - cpuBefore.node;
    const pgCpuMs = cpuAfter.postgres - cpuBefore.postgres;
    const pspCpuMs = ((await emulator.stats())?.cpuMs ?? pspCpuBefore) - pspCpuBefore;
    sample();
    const sent = counts.reduce((sum, count) => sum + count, 0);
    const states = await db.payout.groupBy({ by: ["status"], _count: { _all: true } });
    console.log(
      `  ${sent} sent, ${(sent / (transferMs / 1000)).toFixed(0)} transfers/s;`,
      states.map((s) => `${s.status} ${s._count._all}`).join(", "),
    );
    console.log(
      `  summed over drivers: claim ${seconds(timings.claimMs)}, PSP calls ${seconds(timings.sendMs)}, ` +
        `record outcomes ${seconds(timings.recordMs)} (${timings.batches} batches)`,
    );
    console.log(
      `  CPU during transfers: this process ${seconds(driverCpuMs)} (${((driverCpuMs * 1000) / sent).toFixed(0)} µs/transfer)` +
        (emulatorMode === "process"
          ? `, emulator process ${seconds(pspCpuMs)} (${((pspCpuMs * 1000) / sent).toFixed(0)} µs/transfer)`
          : " (emulator included)") +
        `, PostgreSQL ${seconds(pgCpuMs)} (${((pgCpuMs * 1000) / sent).toFixed(0)} µs/transfer)`,
    );
    const quarter = (q: number) => samples.find((s) => s.done >= (sent * q) / 4) ?? samples.at(-1)!;
    console.log(
      `  RSS at 25/50/75/100% of transfers: ${[1, 2, 3, 4].map((q) => mib(quarter(q).rss)).join(" / ")}; ` +
        `heap used${gc ? " after GC" : ""} ${[1, 2, 3, 4].map((q) => mib(quarter(q).heap)).join(" / ")}`,
    );
    const [invariants] = await timed("ledger invariants", () => checkLedgerInvariants(db));
    console.log(`  invariants ok: ${invariants.ok} (${invariants.violations.length} violations)`);
    const psp_ = await emulator.stats();
    console.log(
      `total (snapshot + transfers) ${seconds(snapshotMs + transferMs)}; snapshot rate ` +
        `${(run.payoutCount / (snapshotMs / 1000)).toFixed(0)} sellers/s`,
    );
    console.log(
      `peak RSS of this process: ${mib(maxRss())} (after seed ${mib(afterSeedRss)}, after snapshot ` +
        `${mib(afterSnapshotRss)})` +
        (psp_
          ? `; emulator process peak RSS ${mib(psp_.maxRssKib * 1024)} (its ${psp_.transfers} transfers, ` +
            "accounts, events and idempotency records are kept in memory)"
          : " (includes the emulator, which keeps its accounts and transfers in memory)"),
    );
    await db.$disconnect();
    await client.end();
  } finally {
    await stopBoss();
    await emulator.close();
    await cluster.stop();
  }
}
