// Runs every registered job: validated payloads, per-job concurrency, cron schedules.
import type { PgBoss } from "pg-boss";
import { getDb } from "@/server/db";
import { getBoss } from "./boss";
import { allJobs } from "./registry";

export interface WorkerHandle {
  boss: PgBoss;
  stop(): Promise<void>;
}

export async function startWorker(options: { pollingIntervalSeconds?: number } = {}): Promise<WorkerHandle> {
  const boss = await getBoss({ maintain: true });
  const db = await getDb();
  const pollingIntervalSeconds =
    options.pollingIntervalSeconds ?? Number(process.env.JOB_POLL_SECONDS ?? 0.5);
  for (const job of allJobs) {
    await boss.work(
      job.name,
      { localConcurrency: job.concurrency ?? 4, pollingIntervalSeconds },
      async ([claimed]) => {
        if (!claimed) return;
        const data = job.schema.parse(claimed.data);
        await job.handler(data, { db, jobId: claimed.id, attempt: claimed.retryCount + 1 });
      },
    );
    if (job.cron) await boss.schedule(job.name, job.cron, {}, { tz: "UTC" });
  }
  return {
    boss,
    async stop() {
      for (const job of allJobs) await boss.offWork(job.name);
    },
  };
}
