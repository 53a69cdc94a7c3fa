// A throwaway PostgreSQL cluster in a temp folder on a free loopback port, for tests, e2e,
// benchmarks and chaos runs. initdb refuses root, so as root it runs as the `postgres` user.
import { type ChildProcess, execFileSync, spawn } from "node:child_process";
import { chmodSync, existsSync, mkdtempSync, readdirSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import pg from "pg";

export interface PostgresCluster {
  url: (database?: string) => string;
  /** The same database over the server's Unix socket: cheaper than loopback TCP per round trip. */
  socketUrl: (database?: string) => string;
  port: number;
  dir: string;
  stop(): Promise<void>;
  /** Stops with `immediate` (a crash as far as clients can tell) and starts again on the same port. */
  restart(): Promise<void>;
}

function binDir(): string {
  if (process.env.PG_BIN) return process.env.PG_BIN;
  const root = "/usr/lib/postgresql";
  const versions = existsSync(root) ? readdirSync(root).sort((a, b) => Number(b) - Number(a)) : [];
  for (const version of versions) {
    const dir = path.join(root, version, "bin");
    if (existsSync(path.join(dir, "initdb"))) return dir;
  }
  throw new Error("PostgreSQL server binaries not found (apt-get install postgresql, or set PG_BIN)");
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      server.close(() => resolve(typeof address === "object" && address ? address.port : 0));
    });
  });
}

const asRoot = process.getuid?.() === 0;

function run(bin: string, args: string[]): void {
  if (asRoot) execFileSync("runuser", ["-u", "postgres", "--", bin, ...args], { stdio: "pipe" });
  else execFileSync(bin, args, { stdio: "pipe" });
}

async function waitUntilReady(url: string, child: ChildProcess): Promise<void> {
  for (let attempt = 0; attempt < 300; attempt++) {
    if (child.exitCode !== null) throw new Error(`postgres exited with ${child.exitCode}`);
    const client = new pg.Client({ connectionString: url });
    try {
      await client.connect();
      await client.end();
      return;
    } catch {
      await client.end().catch(() => {});
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
  throw new Error("postgres did not become ready");
}

export interface ClusterOptions {
  maxConnections?: number;
  /**
   * Acknowledge a commit only once its WAL is written (`synchronous_commit=on`), so a crash of the
   * server loses nothing it acknowledged, as in production (the chaos run, the pay-in benchmark).
   * Off by default: the tests never crash the server, and it is faster.
   */
  durableCommits?: boolean;
  /**
   * Flush WAL to disk and write full pages after checkpoints (`fsync`, `full_page_writes` on), as
   * a production server must to survive a power loss, not only a crash of PostgreSQL. Off by
   * default: a throwaway cluster's disk never loses power mid-run.
   */
  flushToDisk?: boolean;
  /** Load pg_stat_statements (every statement, with planning time), for benchmarks' breakdowns. */
  statementStats?: boolean;
}

export async function startPostgresCluster(options: ClusterOptions = {}): Promise<PostgresCluster> {
  const bin = binDir();
  const dir = mkdtempSync(path.join(tmpdir(), "payrail-pg-"));
  chmodSync(dir, 0o777);
  const data = path.join(dir, "data");
  if (asRoot) execFileSync("chown", ["postgres:postgres", dir]);
  run(path.join(bin, "initdb"), ["-D", data, "-U", "postgres", "--auth=trust", "--no-sync", "-E", "UTF8"]);
  const port = await freePort();
  const settings = [
    "-p",
    String(port),
    "-k",
    dir,
    "-c",
    "listen_addresses=127.0.0.1",
    "-c",
    `max_connections=${options.maxConnections ?? 300}`,
    "-c",
    `fsync=${options.flushToDisk ? "on" : "off"}`,
    "-c",
    `synchronous_commit=${options.durableCommits ? "on" : "off"}`,
    "-c",
    `full_page_writes=${options.flushToDisk ? "on" : "off"}`,
    "-c",
    "shared_buffers=256MB",
    ...(options.statementStats
      ? [
          "-c",
          "shared_preload_libraries=pg_stat_statements",
          "-c",
          "pg_stat_statements.track=all",
          "-c",
          "pg_stat_statements.track_planning=on",
        ]
      : []),
  ];
  let child: ChildProcess;
  const startServer = async () => {
    const postgres = path.join(bin, "postgres");
    const args = ["-D", data, ...settings];
    child = asRoot
      ? spawn("runuser", ["-u", "postgres", "--", postgres, ...args], { stdio: "ignore", detached: true })
      : spawn(postgres, args, { stdio: "ignore", detached: true });
    child.unref();
    await waitUntilReady(url("postgres"), child);
  };
  const url = (database = "postgres") => `postgresql://postgres@127.0.0.1:${port}/${database}`;
  const stopServer = (mode: "fast" | "immediate") => {
    try {
      run(path.join(bin, "pg_ctl"), ["-D", data, "-m", mode, "-w", "stop"]);
    } catch {
      // already stopped
    }
  };
  await startServer();
  return {
    url,
    socketUrl: (database = "postgres") =>
      `postgresql://postgres@localhost/${database}?host=${encodeURIComponent(dir)}&port=${port}`,
    port,
    dir,
    async stop() {
      stopServer("fast");
      rmSync(dir, { recursive: true, force: true });
    },
    async restart() {
      stopServer("immediate");
      await startServer();
    },
  };
}
