// `npm start`: the whole of Payrail in one process on its embedded defaults — the Next.js app,
// a job worker, the PSP emulator (unless a real Stripe key is configured) and, without
// DATABASE_URL, the embedded PGlite database. Production runs web, workers and PostgreSQL apart.
import { execFileSync } from "node:child_process";
import { existsSync } from "node:fs";
import { createServer } from "node:http";
import { createRequire } from "node:module";
import next from "next";
import { getDb, isEmbedded } from "@/server/db";
import { env, webhookSecrets } from "@/server/env";
import { startWorker } from "@/server/jobs/worker";
import { startPspEmulator } from "@/server/psp/emulator/server";
import { seedDemo } from "@/server/seed";

const require = createRequire(import.meta.url);
const { PORT: port, APP_URL: appUrl } = env();
const hostname = new URL(appUrl).hostname;

if (!existsSync(".next/BUILD_ID") || process.env.PAYRAIL_BUILD === "1") {
  console.log("Building the app (first start only)…");
  execFileSync(process.execPath, [require.resolve("next/dist/bin/next"), "build"], { stdio: "inherit" });
}

const db = await getDb();
if (isEmbedded() || process.env.PAYRAIL_SEED === "1") {
  await seedDemo(db);
}

const pspMode = process.env.PSP_EMULATOR ?? "auto";
const realStripe =
  process.env.STRIPE_SECRET_KEY?.startsWith("sk_live_") || process.env.PSP_EMULATOR_URL === "off";
if (pspMode === "start" || (pspMode === "auto" && !realStripe)) {
  const emulatorPort = Number(process.env.PSP_EMULATOR_PORT ?? 12111);
  await startPspEmulator({
    port: emulatorPort,
    snapshotPath: process.env.PSP_EMULATOR_SNAPSHOT ?? ".data/psp-emulator.json",
    webhookEndpoints: [{ url: `${appUrl}/api/webhooks/psp`, secret: webhookSecrets()[0]! }],
  });
  process.env.PSP_EMULATOR_URL ??= `http://127.0.0.1:${emulatorPort}`;
  console.log(`PSP emulator on http://127.0.0.1:${emulatorPort}`);
}

if (process.env.PAYRAIL_WORKER !== "off") await startWorker();

const app = next({ dev: false, hostname, port });
await app.prepare();
const handle = app.getRequestHandler();
createServer((request, response) => handle(request, response)).listen(port, hostname, () => {
  console.log(`Payrail is running on ${appUrl}  (sign in as finance@payrail.test / payrail-demo-pass)`);
});
