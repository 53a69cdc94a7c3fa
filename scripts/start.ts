// `npm start`: the whole of Payrail in one process on its embedded defaults — the Next.js app,
// a job worker, the PSP emulator (unless a real Stripe key is configured) and, without
// DATABASE_URL, the embedded PGlite database. Production runs web, workers and PostgreSQL apart.
// `npm run dev` is the same with `--dev`: Next's dev server (hot reload) instead of the build.
import { execFileSync } from "node:child_process";
import { existsSync } from "node:fs";
import { createServer } from "node:http";
import { createRequire } from "node:module";
import next from "next";
import { closeDb, getDb, isEmbedded } from "@/server/db";
import { env } from "@/server/env";
import { stopBoss } from "@/server/jobs/boss";
import { startWorker, type WorkerHandle } from "@/server/jobs/worker";
import { appEmulatorOptions } from "@/server/psp/emulator/app-options";
import { type EmulatorHandle, startPspEmulator } from "@/server/psp/emulator/server";
import { closeHttpServer, DRAIN_TIMEOUT_MS, onShutdownSignal } from "@/server/runtime/shutdown";
import { connectDemoPayoutAccounts, seedDemo } from "@/server/seed";

const dev = process.argv.includes("--dev");
// The dev server's code (React's dev build, the CSP's 'unsafe-eval' in proxy.ts) keys on NODE_ENV.
if (dev) Object.assign(process.env, { NODE_ENV: "development" });
// The demo (the embedded database) holds a shipped order's funds for two minutes, not a week, so
// they can be seen becoming available and paid out.
if (isEmbedded()) process.env.PAYIN_HOLD_DAYS ??= String(2 / (24 * 60));
const require = createRequire(import.meta.url);
const { PORT: port, APP_URL: appUrl } = env();
const hostname = new URL(appUrl).hostname;

if (!dev && (!existsSync(".next/BUILD_ID") || process.env.PAYRAIL_BUILD === "1")) {
  console.log("Building the app (first start only)…");
  execFileSync(process.execPath, [require.resolve("next/dist/bin/next"), "build"], { stdio: "inherit" });
}

const db = await getDb();
if (isEmbedded() || process.env.PAYRAIL_SEED === "1") {
  await seedDemo(db);
}

let emulator: EmulatorHandle | undefined;
const pspMode = process.env.PSP_EMULATOR ?? "auto";
// STRIPE_API_BASE points the SDK at a PSP (an emulator) running elsewhere: none is started here.
const realStripe =
  process.env.STRIPE_SECRET_KEY?.startsWith("sk_live_") ||
  process.env.PSP_EMULATOR_URL === "off" ||
  Boolean(process.env.STRIPE_API_BASE);
if (pspMode === "start" || (pspMode === "auto" && !realStripe)) {
  emulator = await startPspEmulator(appEmulatorOptions());
  process.env.PSP_EMULATOR_URL ??= emulator.url;
  console.log(`PSP emulator on ${emulator.url}`);
  // Not fatal: a seller can still connect from /seller/payouts.
  await connectDemoPayoutAccounts(db).catch((error: Error) =>
    console.warn(`demo payout accounts not connected: ${error.message}`),
  );
}

const worker: WorkerHandle | undefined =
  process.env.PAYRAIL_WORKER !== "off" ? await startWorker() : undefined;

const app = next({ dev, hostname, port });
await app.prepare();
const handle = app.getRequestHandler();
const server = createServer((request, response) => handle(request, response));
server.listen(port, hostname, () => {
  console.log(
    `Payrail is running on ${appUrl}${dev ? " (dev, hot reload)" : ""}  (sign in as finance@payrail.test / payrail-demo-pass)`,
  );
});

// In order: stop taking requests and jobs and let the running ones finish, then close what they
// used — the queue before the database it lives in (embedded, they share one PGlite).
onShutdownSignal(async () => {
  await Promise.all([closeHttpServer(server, DRAIN_TIMEOUT_MS), worker?.stop(DRAIN_TIMEOUT_MS)]);
  await stopBoss(DRAIN_TIMEOUT_MS);
  await emulator?.close();
  await app.close();
  await closeDb();
});
