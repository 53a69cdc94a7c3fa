// The job queue: pg-boss on the system-of-record database. On PostgreSQL it keeps its own small
// pool; embedded, it shares the process's one PGlite instance (pg-boss's `pglite` backend).
import { fromPglite, PgBoss } from "pg-boss";
import { openEmbeddedDatabase } from "@/server/db/embedded";
import { log } from "@/server/log";

const key = Symbol.for("payrail.boss");
type Holder = { [key]?: Promise<PgBoss> };

export interface BossOptions {
  /** Run pg-boss's maintenance and cron timekeeping (workers do; web processes only send). */
  maintain: boolean;
}

async function createBoss({ maintain }: BossOptions): Promise<PgBoss> {
  const url = process.env.DATABASE_URL;
  // The supervisor also fails the jobs of dead workers (missed heartbeats, registry.ts): every 15 s
  // rather than pg-boss's 60, so a killed worker's job is retried within half a minute.
  const common = {
    supervise: maintain,
    superviseIntervalSeconds: 15,
    schedule: maintain,
    migrate: true,
    max: 4,
  } as const;
  // Workers LISTEN for new jobs (queues are created with `notify`), so a job enqueued in a
  // committed transaction starts at once instead of at the next poll. PGlite has no LISTEN.
  const boss = url
    ? new PgBoss({ connectionString: url, ...common, useListenNotify: maintain })
    : new PgBoss({ db: fromPglite(await openEmbeddedDatabase()), backend: "pglite", ...common });
  // pg-boss reports its own trouble (a lost connection, a failed maintenance run) here and retries.
  boss.on("error", (error) => log().warn({ err: error }, "job queue error"));
  await boss.start();
  const { ensureQueues } = await import("./registry");
  await ensureQueues(boss);
  return boss;
}

/** The process-wide pg-boss instance, started once. */
export function getBoss(options: BossOptions = { maintain: false }): Promise<PgBoss> {
  const holder = globalThis as Holder;
  // A failed start is forgotten, so the next caller (a health check, a retried job) tries again.
  if (!holder[key]) {
    const starting = createBoss(options).catch((error: unknown) => {
      if (holder[key] === starting) holder[key] = undefined;
      throw error;
    });
    holder[key] = starting;
  }
  return holder[key];
}

/** Stops the queue, waiting up to `timeoutMs` for jobs still running. */
export async function stopBoss(timeoutMs = 5_000): Promise<void> {
  const holder = globalThis as Holder;
  const boss = holder[key];
  holder[key] = undefined;
  const started = await boss?.catch(() => null);
  await started?.stop({ graceful: true, timeout: timeoutMs });
}
