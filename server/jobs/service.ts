// What finance sees of the job system: queue depths, the dead-letter queue, and replay.
import cronstrue from "cronstrue";
import { audit } from "@/server/audit/audit";
import type { Db } from "@/server/db";
import { getBoss } from "./boss";
import { DEAD_LETTER_QUEUE } from "./define-job";
import { allJobs } from "./registry";

/** When a job runs, in words: its cron schedule (UTC), or as work arrives. */
function scheduleInWords(cron: string | undefined): string {
  return cron ? cronstrue.toString(cron, { use24HourTimeFormat: true }) : "When work arrives";
}

export async function queueOverview() {
  const boss = await getBoss();
  const jobs = new Map(allJobs.map((job) => [job.name, job]));
  const queues = await boss.getQueues([...jobs.keys(), DEAD_LETTER_QUEUE]);
  return queues.map((queue) => {
    const job = jobs.get(queue.name);
    return {
      name: queue.name,
      description: job?.description ?? "Jobs that failed every retry: listed below, to replay.",
      schedule: job ? scheduleInWords(job.cron) : "—",
      queued: queue.queuedCount,
      active: queue.activeCount,
      total: queue.totalCount,
    };
  });
}

export async function deadLetters(limit: number) {
  const boss = await getBoss();
  const jobs = await boss.findJobs<Record<string, unknown>>(DEAD_LETTER_QUEUE, { queued: true, limit });
  return jobs
    .map((job) => ({
      id: job.id,
      sourceName: job.sourceName,
      data: job.data,
      // The failed job's last error; the dead-letter copy's own output stays empty until it runs.
      error: (job.sourceOutput as { message?: string } | null)?.message ?? null,
      createdOn: job.createdOn,
    }))
    .reverse();
}

/** Moves dead-lettered jobs back to the queue they failed on; audited. Returns how many moved. */
export async function replayDeadLetters(
  db: Db,
  actor: { id: string; email: string },
  ids: string[],
): Promise<number> {
  const boss = await getBoss();
  const moved = await boss.redrive(DEAD_LETTER_QUEUE, { ids });
  if (moved === 0) return 0;
  await db.$transaction((tx) =>
    audit(tx, {
      actorId: actor.id,
      actorLabel: actor.email,
      action: "jobs.replay",
      entity: "dead_letter",
      entityId: ids.join(","),
      after: { moved },
    }),
  );
  return moved;
}
