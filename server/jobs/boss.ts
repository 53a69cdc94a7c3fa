// The job queue: pg-boss on the system-of-record database. On PostgreSQL it keeps its own small
// pool; embedded, it shares the process's one PGlite instance (pg-boss's `pglite` backend).
import { fromPglite, PgBoss } from "pg-boss";
import { openEmbeddedDatabase } from "@/server/db/embedded";

const key = Symbol.for("payrail.boss");
type Holder = { [key]?: Promise<PgBoss> };

export interface BossOptions {
  /** Run pg-boss's maintenance and cron timekeeping (workers do; web processes only send). */
  maintain: boolean;
}

async function createBoss({ maintain }: BossOptions): Promise<PgBoss> {
  const url = process.env.DATABASE_URL;
  const common = { supervise: maintain, schedule: maintain, migrate: true, max: 4 } as const;
  const boss = url
    ? new PgBoss({ connectionString: url, ...common })
    : new PgBoss({ db: fromPglite(await openEmbeddedDatabase()), backend: "pglite", ...common });
  boss.on("error", (error) => {
    if (process.env.LOG_LEVEL !== "error") console.error("[jobs]", error.message);
  });
  await boss.start();
  const { ensureQueues } = await import("./registry");
  await ensureQueues(boss);
  return boss;
}

/** The process-wide pg-boss instance, started once. */
export function getBoss(options: BossOptions = { maintain: false }): Promise<PgBoss> {
  const holder = globalThis as Holder;
  holder[key] ??= createBoss(options);
  return holder[key];
}

export async function stopBoss(): Promise<void> {
  const holder = globalThis as Holder;
  const boss = holder[key];
  holder[key] = undefined;
  if (boss) await (await boss).stop({ graceful: true, timeout: 5_000 });
}
