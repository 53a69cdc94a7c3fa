// Shared set-up of the benchmarks: a throwaway PostgreSQL with a migrated database, and a timer.
import pg from "pg";
import { type PostgresCluster, startPostgresCluster } from "@/scripts/lib/postgres-cluster";
import { migrate } from "@/server/db/migrate";

export async function benchDatabase(): Promise<{ cluster: PostgresCluster; url: string }> {
  const cluster = await startPostgresCluster({ maxConnections: 100 });
  const admin = new pg.Client({ connectionString: cluster.url() });
  await admin.connect();
  await admin.query("CREATE DATABASE bench");
  await admin.end();
  const url = cluster.url("bench");
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  await migrate({ query: (sql, params) => client.query(sql, params), exec: (sql) => client.query(sql) });
  await client.end();
  return { cluster, url };
}

/** Runs `count` tasks with at most `parallel` in flight; returns elapsed milliseconds. */
export async function runConcurrently(
  count: number,
  parallel: number,
  task: (index: number) => Promise<void>,
): Promise<number> {
  const started = performance.now();
  let next = 0;
  await Promise.all(
    Array.from({ length: parallel }, async () => {
      while (next < count) await task(next++);
    }),
  );
  return performance.now() - started;
}

export const perSecond = (count: number, ms: number) =>
  Math.round((count / ms) * 1000).toLocaleString("en-US");
