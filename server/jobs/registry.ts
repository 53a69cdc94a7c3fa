// Every job the workers run. A domain adds its jobs here.
import type { PgBoss } from "pg-boss";
import { refreshCheckpointsJob } from "@/server/ledger/jobs";
import { payinJobs } from "@/server/payin/jobs";
import { payoutJobs } from "@/server/payout/jobs";
import { reconciliationJobs } from "@/server/reconciliation/jobs";
import { DEAD_LETTER_QUEUE, type JobDefinition } from "./define-job";

export const allJobs: JobDefinition[] = [
  ...payinJobs,
  refreshCheckpointsJob,
  ...payoutJobs,
  ...reconciliationJobs,
];

const JOB_HEARTBEAT_SECONDS = 10;
const maxRetryDelay = () => Number(process.env.JOB_RETRY_DELAY_MAX_SECONDS ?? 300);

/** Creates (or updates) each queue with its retry policy; failed jobs go to the dead-letter queue. */
export async function ensureQueues(boss: PgBoss): Promise<void> {
  await boss.createQueue(DEAD_LETTER_QUEUE, { retryLimit: 0, retentionSeconds: 30 * 86_400 });
  for (const job of allJobs) {
    const policy = {
      retryLimit: job.retryLimit ?? 8,
      retryDelay: job.retryDelay ?? 2,
      retryBackoff: true,
      retryDelayMax: maxRetryDelay(),
      deadLetter: DEAD_LETTER_QUEUE,
      notify: true,
      // A running job's worker refreshes its heartbeat every 5 s; a job whose worker died (kill -9)
      // is failed and retried by the supervisor soon after, not when it expires 15 minutes later.
      heartbeatSeconds: JOB_HEARTBEAT_SECONDS,
    };
    if (await boss.getQueue(job.name)) await boss.updateQueue(job.name, policy);
    else await boss.createQueue(job.name, policy);
  }
}
