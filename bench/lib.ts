// Shared set-up of the benchmarks: a throwaway PostgreSQL with a migrated database, a timer, and
// pgbench as a yardstick on the same server.
import { execFile } from "node:child_process";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { promisify } from "node:util";
import pg from "pg";
import { type PostgresCluster, startPostgresCluster } from "@/scripts/lib/postgres-cluster";
import { migrate } from "@/server/db/migrate";

/**
 * `socket`: connect over the Unix socket instead of loopback TCP (the url returned).
 * `statementStats`: with pg_stat_statements (see `statementStats` below).
 * `durable`: PostgreSQL as production must run it (fsync, full-page writes, and each commit
 * waiting for its WAL to reach the disk); otherwise as the tests' throwaway clusters, without.
 */
export async function benchDatabase(
  options: { socket?: boolean; statementStats?: boolean; durable?: boolean } = {},
): Promise<{ cluster: PostgresCluster; url: string }> {
  const cluster = await startPostgresCluster({
    maxConnections: 100,
    statementStats: options.statementStats,
    durableCommits: options.durable,
    flushToDisk: options.durable,
  });
  const admin = new pg.Client({ connectionString: cluster.url() });
  await admin.connect();
  await admin.query("CREATE DATABASE bench");
  await admin.end();
  const url = options.socket ? cluster.socketUrl("bench") : cluster.url("bench");
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

function pgbenchBinary(): string {
  const candidates = process.env.PG_BIN ? [process.env.PG_BIN] : [];
  const root = "/usr/lib/postgresql";
  if (existsSync(root)) {
    for (const version of readdirSync(root).sort((a, b) => Number(b) - Number(a)))
      candidates.push(path.join(root, version, "bin"));
  }
  const found = candidates.map((dir) => path.join(dir, "pgbench")).find((file) => existsSync(file));
  if (!found) throw new Error("pgbench not found (apt-get install postgresql-contrib, or set PG_BIN)");
  return found;
}

export interface PgbenchResult {
  scale: number;
  clients: number;
  threads: number;
  seconds: number;
  tps: number;
}

/**
 * Standard pgbench TPC-B (simple protocol) on its own database of the benchmark's cluster:
 * `pgbench -i -s scale`, then `clients` clients for `seconds` seconds. The tps excludes
 * connection time.
 */
export async function pgbenchTpcb(
  cluster: PostgresCluster,
  options: { scale: number; clients: number; threads: number; seconds: number; asyncCommit?: boolean },
): Promise<PgbenchResult> {
  const run = promisify(execFile);
  const admin = new pg.Client({ connectionString: cluster.url() });
  await admin.connect();
  await admin.query("DROP DATABASE IF EXISTS pgbench");
  await admin.query("CREATE DATABASE pgbench");
  // As a yardstick of the machine's CPU, its commits must not wait for a durable cluster's disk.
  if (options.asyncCommit) await admin.query("ALTER DATABASE pgbench SET synchronous_commit = off");
  await admin.end();
  const url = cluster.url("pgbench");
  await run(pgbenchBinary(), ["-i", "-q", "-s", String(options.scale), url]);
  return { ...options, tps: await pgbenchRun(url, [], options) };
}

/** Runs pgbench on `url` (its built-in TPC-B, or the given `-f` scripts) and returns its tps. */
export async function pgbenchRun(
  url: string,
  scripts: string[],
  options: { clients: number; threads: number; seconds: number },
): Promise<number> {
  const { stdout } = await promisify(execFile)(pgbenchBinary(), [
    ...(scripts.length > 0 ? ["-n", ...scripts.flatMap((script) => ["-f", script])] : []),
    "-c",
    String(options.clients),
    "-j",
    String(options.threads),
    "-T",
    String(options.seconds),
    url,
  ]);
  const tps = /tps = ([\d.]+) \(without initial connection time\)/.exec(stdout)?.[1];
  if (!tps) throw new Error(`cannot read pgbench's tps from:\n${stdout}`);
  return Number(tps);
}

/** The `p`-th percentile (0–100) of `samples` in milliseconds, nearest-rank, rounded to 0.1 ms. */
export function percentile(samples: number[], p: number): string {
  if (samples.length === 0) return "n/a";
  const sorted = [...samples].sort((a, b) => a - b);
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[rank]!.toFixed(1);
}

/**
 * CPU time used so far, in ms, by this process and by a cluster's PostgreSQL processes (the
 * postmaster, its reaped children and its live backends, from /proc; 0 where /proc is missing).
 * Differences between two readings say where a phase's work went, whatever else loads the machine.
 */
export function cpuMs(cluster: PostgresCluster): { node: number; postgres: number } {
  const usage = process.cpuUsage();
  const node = (usage.user + usage.system) / 1000;
  let postgres = 0;
  try {
    const pid = Number(readFileSync(`${cluster.dir}/data/postmaster.pid`, "utf8").split("\n")[0]);
    for (const entry of readdirSync("/proc")) {
      if (!/^\d+$/.test(entry)) continue;
      const fields = procStat(entry);
      if (!fields) continue; // exited meanwhile
      if (Number(entry) === pid) postgres += ticks(fields, 11, 14);
      else if (Number(fields[1]) === pid) postgres += ticks(fields, 11, 12);
    }
  } catch {
    // no /proc or no pid file: report 0
  }
  return { node, postgres: postgres * 10 }; // 100 ticks per second
}

/** CPU time used so far, in ms, by another process (user + system, from /proc; 0 if unreadable). */
export function processCpuMs(pid: number): number {
  const fields = procStat(pid);
  return fields ? ticks(fields, 11, 12) * 10 : 0;
}

/**
 * The fields of /proc/<pid>/stat after the command name: state(0) ppid(1) … utime(11) stime(12)
 * cutime(13) cstime(14); null if the process is gone.
 */
function procStat(pid: number | string): string[] | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    return stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  } catch {
    return null;
  }
}

const ticks = (fields: string[], from: number, to: number) =>
  fields.slice(from, to + 1).reduce((sum, value) => sum + Number(value), 0);

/**
 * Where PostgreSQL's time goes, from pg_stat_statements (the cluster started with
 * `statementStats`): `reset()` before a phase, `top(n)` after it gives the statements that took
 * the most time (execution + planning, wall time: waiting on locks counts) with their calls.
 */
export function statementStats(url: string) {
  const query = async <T extends pg.QueryResultRow>(sql: string) => {
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    try {
      return (await client.query<T>(sql)).rows;
    } finally {
      await client.end();
    }
  };
  return {
    async reset() {
      await query("CREATE EXTENSION IF NOT EXISTS pg_stat_statements");
      await query("SELECT pg_stat_statements_reset()");
    },
    async top(count: number): Promise<string[]> {
      const rows = await query<{ calls: number; ms: number; statement: string }>(
        `SELECT calls::int, round(total_exec_time + total_plan_time)::int AS ms,
                left(regexp_replace(query, '\\s+', ' ', 'g'), 100) AS statement
           FROM pg_stat_statements ORDER BY total_exec_time + total_plan_time DESC LIMIT ${count}`,
      );
      return rows.map(
        (row) => `${String(row.ms).padStart(7)} ms ${String(row.calls).padStart(7)} calls  ${row.statement}`,
      );
    },
  };
}
