// `npm run chaos`: real processes on loopback — the web app, several workers, the PSP emulator
// and a throwaway PostgreSQL — under a seeded workload and seeded faults; then the system settles
// and every invariant is checked. Exits non-zero on any violation. The seed reproduces a run.
//   npm run chaos -- --seed 42 --duration 60 --workers 3 [--long] [--no-build]
import { spawnSync } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { parseArgs } from "node:util";
import pg from "pg";
import Stripe from "stripe";
import { hashPassword } from "@/server/auth/password";
import { createPostgresClient } from "@/server/db";
import { migrate } from "@/server/db/migrate";
import { WEBHOOK_EVENT_TYPES } from "@/server/psp/webhook-events";
import { DEMO_PASSWORD } from "@/server/seed";
import { runChecks, summarize } from "./chaos/checks";
import { signedInClient } from "./chaos/client";
import { type FaultContext, injectFault } from "./chaos/faults";
import { ManagedProcess, waitForHttp } from "./chaos/processes";
import { Rng } from "./chaos/rng";
import { step, type WorkloadContext } from "./chaos/workload";
import { freePort, startPostgresCluster } from "./lib/postgres-cluster";

const { values } = parseArgs({
  options: {
    seed: { type: "string", default: String(Date.now() % 1_000_000) },
    duration: { type: "string", default: "60" },
    workers: { type: "string", default: "3" },
    buyers: { type: "string", default: "12" },
    sellers: { type: "string", default: "8" },
    "faults-per-second": { type: "string", default: "2" },
    "settle-seconds": { type: "string", default: "180" },
    long: { type: "boolean", default: false },
    "no-build": { type: "boolean", default: false },
  },
});
const seed = Number(values.seed);
const faultsTarget = values.long ? 10_000 : 0;
const durationMs = Number(values.duration) * 1000;
const faultsPerSecond = Number(values["faults-per-second"]) * (values.long ? 5 : 1);
console.log(`chaos: seed ${seed}, ${values.long ? `until ${faultsTarget} faults` : `${values.duration} s`}`);

if (!values["no-build"]) {
  const build = spawnSync("npx", ["next", "build"], { stdio: "inherit" });
  if (build.status !== 0) process.exit(1);
}

const scratch = mkdtempSync(path.join(tmpdir(), "payrail-chaos-"));
// Restarts crash the server, and a crash may lose only what was never acknowledged.
const cluster = await startPostgresCluster({ durableCommits: true });
const databaseUrl = cluster.url();
const appPort = await freePort();
const emulatorPort = await freePort();
const appUrl = `http://127.0.0.1:${appPort}`;
const emulatorUrl = `http://127.0.0.1:${emulatorPort}`;
const webhookSecret = "whsec_chaos";

async function seedData() {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  await migrate({ query: (s, p) => client.query(s, p), exec: (s) => client.query(s) });
  await client.end();
  const db = createPostgresClient(databaseUrl, 2);
  const passwordHash = await hashPassword(DEMO_PASSWORD);
  const productIds: string[] = [];
  for (let index = 0; index < Number(values.sellers); index++) {
    const user = await db.user.create({
      data: { email: `seller${index}@chaos.test`, name: `Seller ${index}`, role: "SELLER", passwordHash },
    });
    const seller = await db.seller.create({
      data: { userId: user.id, name: user.name, commissionBps: 500 + index * 100 },
    });
    for (let item = 0; item < 3; item++) {
      const product = await db.product.create({
        data: {
          sellerId: seller.id,
          name: `Item ${index}.${item}`,
          price: BigInt(500 + index * 731 + item * 1999),
        },
      });
      productIds.push(product.id);
    }
  }
  for (let index = 0; index < Number(values.buyers); index++) {
    await db.user.create({
      data: { email: `buyer${index}@chaos.test`, name: `Buyer ${index}`, role: "BUYER", passwordHash },
    });
  }
  await db.user.create({
    data: { email: "finance@chaos.test", name: "Finance", role: "FINANCE", passwordHash },
  });
  await db.$disconnect();
  return productIds;
}

const productIds = await seedData();
const baseEnv = {
  ...process.env,
  DATABASE_URL: databaseUrl,
  APP_URL: appUrl,
  PORT: String(appPort),
  PSP_EMULATOR: "off",
  PSP_EMULATOR_URL: emulatorUrl,
  PSP_EMULATOR_PORT: String(emulatorPort),
  PSP_EMULATOR_SNAPSHOT: path.join(scratch, "psp.json"),
  PSP_WEBHOOK_SECRETS: webhookSecret,
  STRIPE_TIMEOUT_MS: "3000",
  PAYRAIL_RATE_LIMITS: "off",
  PAYIN_RECOVER_AFTER_MS: "3000",
  PAYOUT_RECOVER_AFTER_MS: "5000",
  JOB_RETRY_DELAY_MAX_SECONDS: "5",
  RISK_VELOCITY_LIMIT: "100000",
  PAYIN_HOLD_DAYS: "0", // shipped orders' funds available at once, so payout runs have work
  LOG_LEVEL: process.env.LOG_LEVEL ?? "warn", // job failures are warnings: the logs say why a run failed
};
const emulator = new ManagedProcess(
  "emulator",
  ["scripts/psp-emulator.ts"],
  baseEnv,
  path.join(scratch, "emulator.log"),
);
const web = new ManagedProcess(
  "web",
  ["scripts/start.ts"],
  {
    ...baseEnv,
    PAYRAIL_WORKER: "off",
    PAYRAIL_CRASH_POINTS:
      "payin.webhook-stored-before-processing:0.01,payin.webhook-success-before-answer:0.01,payin.success-before-commit:0.01,payin.session-opened-before-checkout-stored:0.01",
  },
  path.join(scratch, "web.log"),
);
const workers = Array.from(
  { length: Number(values.workers) },
  (_, index) =>
    new ManagedProcess(
      `worker${index}`,
      ["scripts/worker.ts"],
      {
        ...baseEnv,
        PAYRAIL_CRASH_POINTS:
          "payin.success-before-commit:0.03,payin.session-created-before-record:0.03,payin.refund-sent-before-record:0.05,payout.transfer-made-before-record:0.05",
      },
      path.join(scratch, `worker${index}.log`),
    ),
);

async function afterEmulatorStart() {
  await waitForHttp(`${emulatorUrl}/_emulator/state`, 60_000);
  await fetch(`${emulatorUrl}/_emulator/webhook_endpoints`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({
      url: `${appUrl}/api/webhooks/psp`,
      secret: webhookSecret,
      enabled_events: WEBHOOK_EVENT_TYPES,
    }),
  });
}

const workloadCounts: Record<string, number> = {};
const faultCounts: Record<string, number> = {};
let exitCode = 1;
try {
  emulator.start();
  await afterEmulatorStart();
  web.start();
  await waitForHttp(`${appUrl}/login`, 300_000);
  for (const worker of workers) worker.start();
  // A supervisor, as systemd or Kubernetes would be: whatever died comes back within a second.
  const supervisor = setInterval(() => {
    for (const processHandle of [web, ...workers]) processHandle.start();
  }, 1000);

  const login = (email: string) => signedInClient(appUrl, email, DEMO_PASSWORD);
  const workload: WorkloadContext = {
    rng: new Rng(seed),
    buyers: await Promise.all(
      Array.from({ length: Number(values.buyers) }, (_, i) => login(`buyer${i}@chaos.test`)),
    ),
    sellers: await Promise.all(
      Array.from({ length: Number(values.sellers) }, (_, i) => login(`seller${i}@chaos.test`)),
    ),
    finance: await login("finance@chaos.test"),
    productIds,
    emulatorUrl,
    counts: workloadCounts,
    unpaid: [],
  };
  // Every seller connects a payout account before the faults start (onboarding is not under test).
  const accountIds = await Promise.all(
    workload.sellers.map(async (seller) => (await seller.payout.connectAccount.mutate()).pspAccountId!),
  );
  const faults: FaultContext = {
    rng: new Rng(seed + 1),
    web,
    workers,
    emulator,
    cluster,
    emulatorUrl,
    accountIds,
    afterEmulatorStart,
    counts: faultCounts,
  };

  const started = Date.now();
  const totalFaults = () =>
    Object.entries(faultCounts)
      .filter(([kind]) => !kind.endsWith(".failed"))
      .reduce((s, [, n]) => s + n, 0);
  const running = () => (values.long ? totalFaults() < faultsTarget : Date.now() - started < durationMs);
  const faultLoop = (async () => {
    while (running()) {
      await injectFault(faults);
      await new Promise((resolve) => setTimeout(resolve, 1000 / faultsPerSecond));
    }
  })();
  let lastReport = Date.now();
  while (running()) {
    await step(workload);
    if (Date.now() - lastReport > 10_000) {
      lastReport = Date.now();
      console.log(
        `  ${Math.round((Date.now() - started) / 1000)} s: ${totalFaults()} faults, ${Object.values(workloadCounts).reduce((a, b) => a + b, 0)} actions`,
      );
    }
  }
  await faultLoop;

  // Settle: no more faults; dead processes come back; abandoned sessions expire at the PSP.
  console.log("settling…");
  // The last fault may have restarted the emulator without waiting for it to listen again.
  emulator.start(); // a no-op if it runs
  await afterEmulatorStart();
  await fetch(`${emulatorUrl}/_emulator/faults/clear`, { method: "POST" });
  for (const account of accountIds) {
    await fetch(`${emulatorUrl}/_emulator/accounts/${account}/fail_transfers`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ fail: false }),
    });
  }
  if (!web.running) web.start();
  await waitForHttp(`${appUrl}/login`, 120_000);
  for (const worker of workers) if (!worker.running) worker.start();
  for (let round = 0; round < 5 && workload.unpaid.length > 0; round++) await step(workload, {});
  const stripe = new Stripe("sk_test_chaos", { host: "127.0.0.1", port: emulatorPort, protocol: "http" });
  const settleDeadline = Date.now() + Number(values["settle-seconds"]) * 1000;
  const probe = new pg.Client({ connectionString: databaseUrl });
  await probe.connect();
  for (;;) {
    // Abandoned sessions expire at the PSP — also those recovery only creates during the settle.
    for await (const session of stripe.checkout.sessions.list({ limit: 100, status: "open" })) {
      await stripe.checkout.sessions.expire(session.id).catch(() => {});
    }
    const { rows } = await probe.query(`SELECT
        (SELECT count(*) FROM payment_event WHERE status = 'EXECUTING')::int +
        (SELECT count(*) FROM refund WHERE status = 'PENDING')::int +
        (SELECT count(*) FROM payout WHERE status IN ('PENDING', 'PROCESSING'))::int +
        (SELECT count(*) FROM psp_webhook_event WHERE processed_at IS NULL)::int AS open`);
    if (rows[0].open === 0 || Date.now() > settleDeadline) break;
    await new Promise((resolve) => setTimeout(resolve, 2000));
  }
  await probe.end();

  // Reconciliation of the whole run: the safety net for what no webhook said (a refund the PSP
  // failed after accepting it, with its refund.failed dropped), and itself one of the checks.
  const finalRun = await workload.finance.reconciliation.start.mutate({
    start: new Date(started - 3_600_000),
    end: new Date(Date.now() + 60_000),
  });
  const reconDeadline = Date.now() + 180_000;
  while (Date.now() < reconDeadline) {
    const status = (await workload.finance.reconciliation.run.query({ runId: finalRun.id }).catch(() => null))
      ?.status;
    if (status && status !== "RUNNING") break;
    await new Promise((resolve) => setTimeout(resolve, 1000));
  }

  clearInterval(supervisor);
  const results = await runChecks(databaseUrl, emulatorUrl, finalRun.id);
  const crashes = workers.reduce((sum, worker) => sum + worker.unexpectedExits, 0) + web.unexpectedExits;
  faultCounts.crashPoint = crashes;
  const violations = results.flatMap((result) =>
    result.violations.map((violation) => `${result.name}: ${violation}`),
  );
  console.log("\n── chaos report ──");
  console.log(`seed ${seed}, ${Math.round((Date.now() - started) / 1000)} s`);
  console.log("workload:", JSON.stringify(workloadCounts));
  console.log("outcomes:", JSON.stringify(await summarize(databaseUrl)));
  console.log(`faults (${totalFaults()}):`, JSON.stringify(faultCounts)); // crash points included
  for (const result of results) console.log(`${result.violations.length === 0 ? "✔" : "✘"} ${result.name}`);
  console.log(`${results.length} checks, ${violations.length} violations`);
  for (const violation of violations.slice(0, 50)) console.log(`  ✘ ${violation}`);
  exitCode = violations.length === 0 ? 0 : 1;
} catch (error) {
  console.error(error);
} finally {
  for (const processHandle of [web, emulator, ...workers]) await processHandle.stop();
  await cluster.stop();
  console.log(`logs in ${scratch}`);
}
process.exit(exitCode);
