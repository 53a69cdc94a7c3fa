// A job is a named, validated, idempotent handler with its retry policy. Handlers must be safe to
// run twice: pg-boss delivers at least once.
import { fromPrisma, type JobInsert, type SendOptions } from "pg-boss";
import type { z } from "zod";
import type { Db, DbOrTx } from "@/server/db";
import { getBoss } from "./boss";

export const DEAD_LETTER_QUEUE = "dead-letter";

export interface JobDefinition<S extends z.ZodType = z.ZodType> {
  name: string;
  /** What the job does, in words finance reads on the jobs console. */
  description: string;
  schema: S;
  handler: (data: z.infer<S>, ctx: { db: Db; jobId: string; attempt: number }) => Promise<void>;
  retryLimit?: number;
  /** First retry delay in seconds; later ones back off exponentially with jitter. */
  retryDelay?: number;
  /** Cron schedule (UTC), for recurring jobs. */
  cron?: string;
  /** How many fetches of this job one worker runs at once: 4, or 1 for a scheduled job. */
  concurrency?: number;
  /** How many jobs one fetch claims (run together; each completes or fails on its own). */
  batchSize?: number;
}

export function defineJob<S extends z.ZodType>(definition: JobDefinition<S>): JobDefinition<S> {
  return definition;
}

/**
 * Enqueues inside the caller's database transaction: the job exists if and only if the
 * transaction commits.
 */
export async function enqueue<S extends z.ZodType>(
  tx: DbOrTx,
  job: JobDefinition<S>,
  data: z.input<S>,
  options: SendOptions = {},
): Promise<void> {
  const boss = await getBoss();
  const parsed = job.schema.parse(data) as object;
  await boss.send(job.name, parsed, { ...options, db: fromPrisma(tx as Parameters<typeof fromPrisma>[0]) });
}

/** `enqueue` for many jobs of one kind in one statement, inside the caller's transaction. */
export async function enqueueMany<S extends z.ZodType>(
  tx: DbOrTx,
  job: JobDefinition<S>,
  data: z.input<S>[],
  options: Pick<JobInsert, "startAfter"> = {},
): Promise<void> {
  if (data.length === 0) return;
  const boss = await getBoss();
  const jobs = data.map((item) => ({ ...options, data: job.schema.parse(item) as object }));
  await boss.insert(job.name, jobs, { db: fromPrisma(tx as Parameters<typeof fromPrisma>[0]) });
}
