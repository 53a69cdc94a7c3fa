// Runs every registered job: validated payloads, per-job concurrency, cron schedules.
import type { Job, JobResult, PgBoss } from "pg-boss";
import { type Db, getDb } from "@/server/db";
import { log, withLogFields } from "@/server/log";
import { getBoss } from "./boss";
import type { JobDefinition } from "./define-job";
import { allJobs } from "./registry";

export interface WorkerHandle {
  boss: PgBoss;
  /** Stops fetching jobs and waits (up to `timeoutMs`) for the ones running to finish. */
  stop(timeoutMs?: number): Promise<void>;
}

export async function startWorker(options: { pollingIntervalSeconds?: number } = {}): Promise<WorkerHandle> {
  const boss = await getBoss({ maintain: true });
  const db = await getDb();
  const pollingIntervalSeconds =
    options.pollingIntervalSeconds ?? Number(process.env.JOB_POLL_SECONDS ?? 0.5);
  for (const job of allJobs) {
    await boss.work(
      job.name,
      {
        // Each local worker polls on its own: a scheduled job (one per tick) needs only one.
        localConcurrency: job.concurrency ?? (job.cron ? 1 : 4),
        pollingIntervalSeconds,
        // NOTIFY wakes a worker as soon as a job commits. The poll stays as frequent as without it
        // (pg-boss would relax it to 30 s): a backlog enqueued at once wakes each worker only once.
        // A backlog the queue's stats show is drained without pausing between jobs.
        notifyPollingIntervalSeconds: pollingIntervalSeconds,
        burstWhenReadyExceeds: 1,
        batchSize: job.batchSize ?? 1,
        // Each job of a fetched batch completes, fails and retries on its own.
        perJobResults: true,
      },
      (claimed) => Promise.all(claimed.map((one) => runJob(job, one, db))),
    );
    if (job.cron) await boss.schedule(job.name, job.cron, {}, { tz: "UTC" });
  }
  return {
    boss,
    async stop(timeoutMs = 10_000) {
      // offWork stops every queue's polling at once and resolves when its running jobs are done.
      const drained = Promise.all(allJobs.map((job) => boss.offWork(job.name)));
      let timer: NodeJS.Timeout | undefined;
      const timedOut = new Promise<boolean>((resolve) => {
        timer = setTimeout(() => resolve(true), timeoutMs);
      });
      const late = await Promise.race([drained.then(() => false), timedOut]);
      clearTimeout(timer);
      if (late) log().warn({ timeoutMs }, "jobs still running at shutdown; pg-boss will retry them");
    },
  };
}

/** Runs one claimed job; its result tells pg-boss to complete it or to fail (and retry) it. */
async function runJob(job: JobDefinition, claimed: Job<unknown>, db: Db): Promise<JobResult> {
  const attempt = claimed.retryCount + 1;
  // Every line logged by the handler, however deep, carries the job's name and id.
  return withLogFields({ job: job.name, jobId: claimed.id, attempt }, async () => {
    const started = performance.now();
    try {
      const data = job.schema.parse(claimed.data);
      await job.handler(data, { db, jobId: claimed.id, attempt });
      log().info({ durationMs: Math.round(performance.now() - started) }, "job done");
      return { id: claimed.id, status: "completed" };
    } catch (error) {
      // A warning, not an error: pg-boss retries it, and the dead-letter queue keeps the last.
      log().warn({ durationMs: Math.round(performance.now() - started), err: error }, "job failed");
      const { message, stack } = error instanceof Error ? error : new Error(String(error));
      return { id: claimed.id, status: "failed", output: { message, stack } };
    }
  });
}
