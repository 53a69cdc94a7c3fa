// Fault injection from the same seed: kill -9 of workers and the web process, PSP errors, 429s,
// timeouts whose operation did take effect, webhook drops/duplicates/reorders/delays, transfers
// reversed and refused at the PSP, PostgreSQL and emulator restarts. Each fault is counted by kind.
import pg from "pg";
import type { PostgresCluster } from "../lib/postgres-cluster";
import type { ManagedProcess } from "./processes";
import type { Rng } from "./rng";

export interface FaultContext {
  rng: Rng;
  web: ManagedProcess;
  workers: ManagedProcess[];
  emulator: ManagedProcess;
  cluster: PostgresCluster;
  emulatorUrl: string;
  /** The sellers' connected PSP accounts (transfers to them can be refused for a while). */
  accountIds: string[];
  /** Re-registers the webhook endpoint etc. after an emulator restart. */
  afterEmulatorStart: () => Promise<void>;
  counts: Record<string, number>;
}

async function control(context: FaultContext, body: unknown, path = "faults") {
  const response = await fetch(`${context.emulatorUrl}/_emulator/${path}`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(body),
  });
  if (!response.ok) throw new Error(`emulator control ${path}: ${response.status}`);
}

const pspPaths = ["^/v1/checkout/sessions", "^/v1/refunds", "^/v1/transfers", "^/v1/checkout/sessions/cs_"];

const faults: Record<string, (context: FaultContext) => Promise<void>> = {
  async killWorker(context) {
    const worker = context.rng.pick(context.workers);
    worker.kill();
    setTimeout(() => worker.start(), context.rng.int(100, 1500));
  },
  async killWeb(context) {
    // Restarted at once; the workload's requests fail until it is up again, as a browser's would.
    context.web.kill();
    context.web.start();
  },
  async psp500(context) {
    await control(context, {
      path: context.rng.pick(pspPaths),
      kind: "error500",
      count: context.rng.int(1, 3),
    });
  },
  async psp429(context) {
    await control(context, {
      path: context.rng.pick(pspPaths),
      kind: "error429",
      count: context.rng.int(1, 3),
    });
  },
  async pspTimeoutAfterEffect(context) {
    await control(context, { path: context.rng.pick(pspPaths), kind: "timeout_after_effect", count: 1 });
  },
  async webhookDrop(context) {
    await control(context, { kind: "drop", count: context.rng.int(1, 3) });
  },
  async webhookDuplicate(context) {
    await control(context, { kind: "duplicate", count: context.rng.int(1, 3) });
  },
  async webhookReorder(context) {
    await control(context, { kind: "reorder", count: context.rng.int(2, 4) });
  },
  async webhookDelay(context) {
    await control(context, {
      kind: "delay",
      count: context.rng.int(1, 3),
      delayMs: context.rng.int(500, 5000),
    });
  },
  async transferReverse(context) {
    // The PSP takes a transfer back (the seller's bank returned it): the payout must fail and the
    // money go back to the seller's wallet, once.
    const sql = new pg.Client({ connectionString: context.cluster.url() });
    await sql.connect();
    const { rows } = await sql
      .query<{ id: string }>(
        `SELECT psp_transfer_id AS id FROM payout WHERE status = 'PAID' ORDER BY updated_at DESC LIMIT 30`,
      )
      .finally(() => sql.end());
    if (rows.length === 0) throw new Error("no transfer to reverse");
    await control(context, {}, `transfers/${context.rng.pick(rows).id}/reverse`);
  },
  async accountRefusesTransfers(context) {
    // A seller's connected account refuses transfers for a few seconds.
    if (context.accountIds.length === 0) throw new Error("no connected account");
    const account = context.rng.pick(context.accountIds);
    await control(context, { fail: true }, `accounts/${account}/fail_transfers`);
    setTimeout(
      () => void control(context, { fail: false }, `accounts/${account}/fail_transfers`).catch(() => {}),
      context.rng.int(1000, 8000),
    );
  },
  async postgresRestart(context) {
    await context.cluster.restart();
  },
  async emulatorRestart(context) {
    context.emulator.kill();
    context.emulator.start();
    void context.afterEmulatorStart().catch(() => {});
  },
};

const weights: Record<string, number> = {
  killWorker: 14,
  killWeb: 3,
  psp500: 12,
  psp429: 10,
  pspTimeoutAfterEffect: 8,
  webhookDrop: 10,
  webhookDuplicate: 12,
  webhookReorder: 8,
  webhookDelay: 8,
  transferReverse: 2,
  accountRefusesTransfers: 2,
  postgresRestart: 1,
  emulatorRestart: 2,
};

export async function injectFault(context: FaultContext): Promise<void> {
  const kind = context.rng.weighted(weights);
  context.counts[kind] = (context.counts[kind] ?? 0) + 1;
  await faults[kind]!(context).catch(() => {
    context.counts[`${kind}.failed`] = (context.counts[`${kind}.failed`] ?? 0) + 1;
  });
}
