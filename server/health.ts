// The health report behind /api/health: can this process reach its database and its job queue?
// Public, so it says "ok" or "down" and counts, never an error message (those name hosts and
// users); the cause goes to the log.
import type { Db } from "@/server/db";
import { DEAD_LETTER_QUEUE } from "@/server/jobs/define-job";
import { queueOverview } from "@/server/jobs/service";
import { log } from "@/server/log";

export const HEALTH_TIMEOUT_MS = 2_000;

type Check<T extends object = object> =
  | ({ status: "ok"; latencyMs: number } & T)
  | { status: "down"; latencyMs: number; reason: "timeout" | "error" };

export interface JobStats {
  queued: number;
  active: number;
  deadLetters: number;
}

export interface HealthReport {
  status: "ok" | "down";
  database: Check;
  jobs: Check<JobStats>;
}

export interface HealthDeps {
  db: () => Promise<Db>;
  jobs: () => Promise<JobStats>;
  timeoutMs?: number;
}

class Timeout extends Error {}

async function timed<T extends object>(
  name: string,
  timeoutMs: number,
  probe: () => Promise<T>,
): Promise<Check<T>> {
  const started = performance.now();
  let timer: NodeJS.Timeout | undefined;
  const expiry = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Timeout()), timeoutMs);
  });
  try {
    const details = await Promise.race([probe(), expiry]);
    return { status: "ok", latencyMs: Math.round(performance.now() - started), ...details };
  } catch (error) {
    const reason = error instanceof Timeout ? "timeout" : "error";
    log().warn({ check: name, reason, err: reason === "error" ? error : undefined }, "health check failed");
    return { status: "down", latencyMs: Math.round(performance.now() - started), reason };
  } finally {
    clearTimeout(timer);
  }
}

export async function checkHealth(deps: HealthDeps): Promise<HealthReport> {
  const timeoutMs = deps.timeoutMs ?? HEALTH_TIMEOUT_MS;
  const [database, jobs] = await Promise.all([
    timed("database", timeoutMs, async () => {
      await (await deps.db()).$queryRaw`SELECT 1`;
      return {};
    }),
    timed("jobs", timeoutMs, deps.jobs),
  ]);
  return { status: database.status === "ok" && jobs.status === "ok" ? "ok" : "down", database, jobs };
}

/** Queue totals from pg-boss (one query over its queue table): reachable means it answered. */
export async function jobStats(): Promise<JobStats> {
  const queues = await queueOverview();
  let queued = 0;
  let active = 0;
  let deadLetters = 0;
  for (const queue of queues) {
    if (queue.name === DEAD_LETTER_QUEUE) deadLetters = queue.queued;
    else {
      queued += queue.queued;
      active += queue.active;
    }
  }
  return { queued, active, deadLetters };
}

/** The HTTP answer: 200 when everything is reachable, 503 otherwise; never cached. */
export async function healthResponse(deps: HealthDeps, requestId: string): Promise<Response> {
  const report = await checkHealth(deps);
  return Response.json(report, {
    status: report.status === "ok" ? 200 : 503,
    headers: { "cache-control": "no-store", "x-request-id": requestId },
  });
}
