// `npm run test:e2e`: builds the app, starts it (web + worker + PSP emulator) on a throwaway
// PostgreSQL with the demo data, and runs the Playwright suite in e2e/ against it in Chromium.
import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { once } from "node:events";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { findChromium } from "./lib/chromium";
import { freePort, startPostgresCluster } from "./lib/postgres-cluster";
import { scanDatabase, scanFiles } from "./scan-card-data";

// Before anything starts: on a fresh machine this may download or install a browser, or stop here.
const chromiumPath = await findChromium().catch((error: Error) => {
  console.error(error.message);
  process.exit(1);
});
const cluster = await startPostgresCluster();
const appPort = await freePort();
const pspPort = await freePort();
const scratch = mkdtempSync(path.join(tmpdir(), "payrail-e2e-"));
const appUrl = `http://127.0.0.1:${appPort}`;
const env = {
  ...process.env,
  DATABASE_URL: cluster.url(),
  APP_URL: appUrl,
  PORT: String(appPort),
  PSP_EMULATOR: "start",
  PSP_EMULATOR_PORT: String(pspPort),
  STRIPE_API_BASE: `http://127.0.0.1:${pspPort}`,
  PSP_EMULATOR_SNAPSHOT: path.join(scratch, "psp.json"),
  PAYRAIL_SEED: "1",
  PAYIN_HOLD_DAYS: "0", // a shipped order's funds are available at once: the payout specs use them
  PAYRAIL_BUILD: process.argv.includes("--no-build") ? "0" : "1",
  LOG_LEVEL: "warn",
};

let app: ChildProcess | undefined;
let status = 1;
try {
  const migrate = spawnSync("npx", ["tsx", "scripts/db-migrate.ts"], { stdio: "inherit", env });
  if (migrate.status !== 0) throw new Error("migration failed");
  // This same Node with tsx's loader, not through npx (which may exit on SIGTERM before the app
  // has shut down, so the database went away under it) nor the tsx CLI (which SIGKILLs a child
  // slow to acknowledge a signal): the app gets SIGTERM itself, and its exit is the app's.
  app = spawn(process.execPath, ["--import", "tsx", "scripts/start.ts"], {
    stdio: ["ignore", "inherit", "inherit"],
    env,
    detached: true,
  });
  const deadline = Date.now() + 600_000;
  for (;;) {
    if (app.exitCode !== null) throw new Error(`the app exited with ${app.exitCode}`);
    const ready = await fetch(`${appUrl}/login`)
      .then((response) => response.ok)
      .catch(() => false);
    if (ready) break;
    if (Date.now() > deadline) throw new Error("the app did not start");
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
  const extra = process.argv.slice(2).filter((arg) => arg !== "--no-build");
  const run = spawnSync("npx", ["playwright", "test", ...extra], {
    stdio: "inherit",
    env: { ...env, E2E_BASE_URL: appUrl, CHROMIUM_PATH: chromiumPath },
  });
  status = run.status ?? 1;
  // SAQ A: after a full run, no card number may sit in Payrail's database, logs or test output.
  const hits = [...(await scanDatabase(cluster.url())), ...scanFiles(["test-results"])];
  if (hits.length > 0) {
    console.error(`Card-like numbers found:\n${hits.join("\n")}`);
    status = 1;
  } else {
    console.log("Card-data scan: nothing found in the database, the app log or the test output.");
  }
} catch (error) {
  console.error(error);
} finally {
  // The app drains and closes its connections before its database goes away (bounded wait).
  if (app?.pid && app.exitCode === null) {
    const exited = once(app, "exit");
    try {
      process.kill(-app.pid, "SIGTERM");
      await Promise.race([exited, new Promise((resolve) => setTimeout(resolve, 15_000))]);
    } catch {
      // already gone
    }
  }
  await cluster.stop();
}
process.exit(status);
