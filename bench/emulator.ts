// `npm run bench:emulator [-- seconds connections objects]` (or `npm run bench -- emulator …`):
// the PSP emulator's throughput. The emulator runs in its own child process (as `npm run
// psp:emulator`, with a snapshot file), so the load generator never shares its event loop; then
// `connections` keep-alive connections send simple requests for `seconds` per scenario, and the
// requests/s and p50/p99 latency of each are printed.
import { type ChildProcess, spawn } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from "node:fs";
import { Agent, request } from "node:http";
import { cpus, loadavg, tmpdir } from "node:os";
import path from "node:path";
import { freePort } from "@/scripts/lib/postgres-cluster";

const [seconds = 10, connections = 16, objects = 2000] = process.argv.slice(2).map(Number);
const KEY = "Bearer sk_test_bench";

const port = await freePort();
const scratch = mkdtempSync(path.join(tmpdir(), "payrail-bench-emulator-"));
const snapshot = path.join(scratch, "psp.json");
// BENCH_PROFILE=dir writes a CPU profile of the emulator there (open it in Chrome's DevTools).
const profile = process.env.BENCH_PROFILE
  ? ["--cpu-prof", `--cpu-prof-dir=${process.env.BENCH_PROFILE}`]
  : [];
const child: ChildProcess = spawn(
  process.execPath,
  [...profile, "--import", "tsx", "scripts/psp-emulator.ts"],
  {
    env: {
      ...process.env,
      PSP_EMULATOR_PORT: String(port),
      PSP_EMULATOR_SNAPSHOT: snapshot,
      PSP_WEBHOOK_URL: "off",
    },
    stdio: ["ignore", "pipe", "inherit"],
  },
);
await new Promise<void>((resolve, reject) => {
  child.stdout!.on("data", (chunk: Buffer) => {
    if (chunk.toString().includes("listening")) resolve();
  });
  child.once("exit", (code) => reject(new Error(`the emulator exited with ${code}`)));
});

const agent = new Agent({ keepAlive: true, maxSockets: connections });

/** One request on a pooled keep-alive connection; resolves with the status code. */
function call(method: string, url: string, body?: string, idempotencyKey?: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const outgoing = request(
      {
        host: "127.0.0.1",
        port,
        method,
        path: url,
        agent,
        headers: {
          authorization: KEY,
          ...(body ? { "content-type": "application/x-www-form-urlencoded" } : {}),
          ...(idempotencyKey ? { "idempotency-key": idempotencyKey } : {}),
        },
      },
      (response) => {
        response.resume();
        response.on("end", () => resolve(response.statusCode ?? 0));
      },
    );
    outgoing.on("error", reject);
    outgoing.end(body);
  });
}

async function json(method: string, url: string, body?: string) {
  const response = await fetch(`http://127.0.0.1:${port}${url}`, {
    method,
    headers: { authorization: KEY, "content-type": "application/x-www-form-urlencoded" },
    body,
  });
  return (await response.json()) as Record<string, unknown>;
}

// State of a realistic size: `objects` paid intents (each an intent, a charge, a balance
// transaction and two events), so per-request costs that grow with the state show.
let intent: Record<string, unknown> = {};
const seeding = performance.now();
for (let index = 0; index < objects; index += 50) {
  const batch = await Promise.all(
    Array.from({ length: Math.min(50, objects - index) }, () =>
      json(
        "POST",
        "/v1/payment_intents",
        "amount=2500&currency=usd&payment_method=pm_card_visa&confirm=true",
      ),
    ),
  );
  intent = batch[0]!;
}
const seedMs = performance.now() - seeding;
const chargeId = String(intent.latest_charge);
const intentId = String(intent.id);

type Step = () => Promise<number>;
let unique = 0;
const scenarios: Record<string, Step> = {
  balance: () => call("GET", "/v1/balance"),
  retrieve: () => call("GET", `/v1/charges/${chargeId}`),
  // An idempotent POST whose key was used before: answered from the idempotency record.
  replay: () => call("POST", "/v1/payouts", "amount=100&currency=usd", "bench-replay"),
  intent: () => call("GET", `/v1/payment_intents/${intentId}`),
  // Reads and idempotent POSTs: after its first use each of the 50 keys is a replay.
  mix: () => {
    const dice = Math.random();
    if (dice < 0.35) return call("GET", "/v1/balance");
    if (dice < 0.55) return call("GET", `/v1/charges/${chargeId}`);
    if (dice < 0.75) return call("GET", `/v1/payment_intents/${intentId}`);
    const key = Math.floor(Math.random() * 50);
    return call("POST", "/v1/payouts", `amount=${100 + key}&currency=usd`, `bench-mix-${key}`);
  },
  // Every request a new payout (a balance transaction, an event, a snapshot write shared per tick).
  create: () => call("POST", "/v1/payouts", "amount=100&currency=usd", `bench-create-${unique++}`),
};

/**
 * CPU seconds the emulator process has used (Linux /proc; 0 elsewhere): requests per emulator
 * CPU-second is its capacity whatever else the shared machine is running.
 */
function emulatorCpuSeconds(): number {
  const stat = `/proc/${child.pid}/stat`;
  if (!existsSync(stat)) return 0;
  const fields = readFileSync(stat, "utf8").split(") ")[1]!.split(" ");
  return (Number(fields[11]) + Number(fields[12])) / 100; // utime + stime, in USER_HZ (100)
}

async function run(step: Step, ms: number) {
  const cpuBefore = emulatorCpuSeconds();
  const latencies: number[] = [];
  let errors = 0;
  const deadline = performance.now() + ms;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: connections }, async () => {
      while (performance.now() < deadline) {
        const sent = performance.now();
        const status = await step().catch(() => 0);
        latencies.push(performance.now() - sent);
        if (status < 200 || status >= 300) errors++;
      }
    }),
  );
  const elapsed = performance.now() - started;
  const cpu = emulatorCpuSeconds() - cpuBefore;
  latencies.sort((a, b) => a - b);
  const at = (q: number) => latencies[Math.min(latencies.length - 1, Math.floor(latencies.length * q))] ?? 0;
  return {
    count: latencies.length,
    perSecond: (latencies.length / elapsed) * 1000,
    p50: at(0.5),
    p99: at(0.99),
    errors,
    cpuShare: cpu / (elapsed / 1000),
    perCpuSecond: cpu > 0 ? latencies.length / cpu : 0,
  };
}

const selected = process.env.BENCH_SCENARIOS?.split(",") ?? Object.keys(scenarios);
console.log(
  `PSP emulator in a child process on :${port}; ${connections} keep-alive connections, ${seconds} s per scenario; ` +
    `${objects} paid intents seeded in ${(seedMs / 1000).toFixed(1)} s; ${cpus().length} CPUs; ` +
    `load average before ${loadavg()
      .map((value) => value.toFixed(2))
      .join(", ")}`,
);
console.log(
  "| scenario | requests | requests/s | p50 ms | p99 ms | errors | emulator CPU | requests per emulator CPU-s |\n" +
    "|---|---|---|---|---|---|---|---|",
);
try {
  for (const name of selected) {
    const step = scenarios[name];
    if (!step) throw new Error(`unknown scenario ${name}`);
    await run(step, 1000); // warm-up: JIT, connections, first uses of the idempotency keys
    const result = await run(step, seconds * 1000);
    console.log(
      `| ${name} | ${result.count} | ${Math.round(result.perSecond).toLocaleString("en-US")} | ` +
        `${result.p50.toFixed(2)} | ${result.p99.toFixed(2)} | ${result.errors} | ` +
        `${Math.round(result.cpuShare * 100)} % | ${Math.round(result.perCpuSecond).toLocaleString("en-US")} |`,
    );
  }
  console.log(
    `snapshot ${(statSync(snapshot).size / 1e6).toFixed(1)} MB; load average after ${loadavg()
      .map((value) => value.toFixed(2))
      .join(", ")}`,
  );
} finally {
  agent.destroy();
  child.kill("SIGTERM");
  await new Promise((resolve) => child.once("exit", resolve));
  rmSync(scratch, { recursive: true, force: true });
}
