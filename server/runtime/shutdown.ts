// Graceful shutdown for the long-running processes (npm start, npm run worker): on SIGINT or
// SIGTERM, stop taking work, let what is in flight finish within a bound, close the job queue and
// the database, exit 0. A watchdog exits 1 if closing itself hangs.
import type { Server } from "node:http";
import { log } from "@/server/log";

export const DRAIN_TIMEOUT_MS = 10_000;

/** Whether `promise` settled within `ms` (it keeps running either way). */
export async function settlesWithin(promise: Promise<unknown>, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const expired = new Promise<false>((resolve) => {
    timer = setTimeout(() => resolve(false), ms);
  });
  const settled = promise.then(
    () => true,
    () => true,
  );
  try {
    return await Promise.race([settled, expired]);
  } finally {
    clearTimeout(timer);
  }
}

/** Stops accepting connections and waits for in-flight requests; cuts the rest after `ms`. */
export async function closeHttpServer(server: Server, ms = DRAIN_TIMEOUT_MS): Promise<void> {
  const closed = new Promise<void>((resolve) => server.close(() => resolve()));
  // Keep-alive connections with no request on them would hold close() open until they time out.
  server.closeIdleConnections();
  const idleSweep = setInterval(() => server.closeIdleConnections(), 100);
  try {
    if (!(await settlesWithin(closed, ms))) {
      log().warn({ timeoutMs: ms }, "requests still running at shutdown; closing their connections");
      server.closeAllConnections();
      await closed;
    }
  } finally {
    clearInterval(idleSweep);
  }
}

/**
 * Runs `shutdown` once on the first SIGINT/SIGTERM, then exits 0 (1 if it failed or hung past
 * `watchdogMs`). Later signals are ignored: Ctrl-C reaches npm, tsx and node at once.
 */
export function onShutdownSignal(
  shutdown: () => Promise<void>,
  watchdogMs = DRAIN_TIMEOUT_MS + 10_000,
): void {
  let stopping = false;
  const handle = (signal: NodeJS.Signals) => {
    if (stopping) return;
    stopping = true;
    log().info({ signal }, "shutting down");
    const watchdog = setTimeout(() => {
      log().error({ timeoutMs: watchdogMs }, "shutdown did not finish; exiting");
      process.exit(1);
    }, watchdogMs);
    watchdog.unref();
    shutdown().then(
      () => {
        log().info("stopped");
        process.exit(0);
      },
      (error: unknown) => {
        log().error({ err: error }, "shutdown failed");
        process.exit(1);
      },
    );
  };
  process.on("SIGINT", handle);
  process.on("SIGTERM", handle);
}
