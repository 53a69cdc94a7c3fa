// `npm run worker`: a stateless job worker; run as many as you like against one PostgreSQL.
import { closeDb } from "@/server/db";
import { stopBoss } from "@/server/jobs/boss";
import { startWorker } from "@/server/jobs/worker";
import { log } from "@/server/log";
import { DRAIN_TIMEOUT_MS, onShutdownSignal } from "@/server/runtime/shutdown";

if (!process.env.DATABASE_URL) {
  console.error("npm run worker needs DATABASE_URL (the embedded database runs its worker inside npm start)");
  process.exit(1);
}
const worker = await startWorker();
log().info("worker started");
// Stop fetching, let running jobs finish (pg-boss retries any cut off), then close queue and pool.
onShutdownSignal(async () => {
  await worker.stop(DRAIN_TIMEOUT_MS);
  await stopBoss(DRAIN_TIMEOUT_MS);
  await closeDb();
});
