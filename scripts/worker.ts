// `npm run worker`: a stateless job worker; run as many as you like against one PostgreSQL.
import { startWorker } from "@/server/jobs/worker";

if (!process.env.DATABASE_URL) {
  console.error("npm run worker needs DATABASE_URL (the embedded database runs its worker inside npm start)");
  process.exit(1);
}
const worker = await startWorker();
console.log("worker started");
for (const signal of ["SIGINT", "SIGTERM"] as const) {
  process.on(signal, async () => {
    await worker.stop();
    process.exit(0);
  });
}
