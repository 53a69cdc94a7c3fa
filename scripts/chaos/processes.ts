// The chaos run's own processes: started detached in their own process group so `kill -9`
// hits the whole thing, restarted on demand, all stopped at the end.
import { type ChildProcess, spawn } from "node:child_process";
import { createWriteStream, type WriteStream } from "node:fs";

export class ManagedProcess {
  private child: ChildProcess | null = null;
  private log: WriteStream;
  unexpectedExits = 0;
  private stopping = false;

  constructor(
    readonly name: string,
    private readonly args: string[],
    private readonly env: NodeJS.ProcessEnv,
    logPath: string,
  ) {
    this.log = createWriteStream(logPath, { flags: "a" });
    this.log.setMaxListeners(0); // every restart pipes into the same log
  }

  /** Starts the process unless it already runs (a restart scheduled twice must not fork it). */
  start(): void {
    if (this.running) return;
    this.stopping = false;
    const child = spawn("npx", ["tsx", ...this.args], {
      env: this.env,
      detached: true,
      stdio: ["ignore", "pipe", "pipe"],
    });
    child.stdout?.pipe(this.log, { end: false });
    child.stderr?.pipe(this.log, { end: false });
    child.on("exit", () => {
      if (!this.stopping && this.child === child) this.unexpectedExits++;
      if (this.child === child) this.child = null;
    });
    this.child = child;
  }

  get running(): boolean {
    return this.child !== null && this.child.exitCode === null;
  }

  /** kill -9 of the whole process group, as a crash would. */
  kill(): void {
    const pid = this.child?.pid;
    this.stopping = true;
    this.child = null;
    if (pid) {
      try {
        process.kill(-pid, "SIGKILL");
      } catch {
        // already gone
      }
    }
  }

  async stop(): Promise<void> {
    this.kill();
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

export async function waitForHttp(url: string, timeoutMs = 120_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const ok = await fetch(url)
      .then((response) => response.status < 500)
      .catch(() => false);
    if (ok) return;
    if (Date.now() > deadline) throw new Error(`${url} did not come up`);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}
