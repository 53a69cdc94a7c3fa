// The seeded workload: checkouts by many buyers across many sellers (success, decline,
// 3-D Secure, abandoned, refund-failing card), partial and full refunds, fulfilment, payout runs
// and retries of failed payouts, and reconciliation runs. Every action goes through the web app.

import { sessionIdOfPageUrl } from "@/server/psp/emulator/hosted-page";
import type { Client } from "./client";
import type { Rng } from "./rng";

export interface WorkloadContext {
  rng: Rng;
  buyers: Client[];
  sellers: Client[];
  finance: Client;
  productIds: string[];
  emulatorUrl: string;
  counts: Record<string, number>;
  /** Checkouts started but not yet paid (their PSP session may not exist yet). */
  unpaid: { buyer: Client; checkoutId: string; card: string | null }[];
}

const cards = {
  success: "4242424242424242",
  decline: "4000000000000002",
  threeDSecure: "4000000000003220",
  refundFails: "4000000000005126",
};

function count(context: WorkloadContext, name: string) {
  context.counts[name] = (context.counts[name] ?? 0) + 1;
}

async function checkout(context: WorkloadContext) {
  const { rng } = context;
  const buyer = rng.pick(context.buyers);
  const lines = rng.int(1, 3);
  const items = Array.from({ length: lines }, () => ({
    productId: rng.pick(context.productIds),
    quantity: rng.int(1, 3),
  }));
  const unique = [...new Map(items.map((item) => [item.productId, item])).values()];
  const kind = rng.weighted({ success: 55, decline: 10, threeDSecure: 10, abandoned: 10, refundFails: 15 });
  const idempotencyKey = rng.uuid();
  const { checkoutId } = await buyer.payin.checkout.mutate({ idempotencyKey, items: unique });
  // A network retry of the same request must not create a second checkout.
  if (rng.chance(0.2)) await buyer.payin.checkout.mutate({ idempotencyKey, items: unique });
  count(context, `checkout.${kind}`);
  context.unpaid.push({ buyer, checkoutId, card: kind === "abandoned" ? null : cards[kind] });
}

/** Pays sessions that exist by now, as the buyer would on the hosted page. */
async function payOpenSessions(context: WorkloadContext) {
  const still: WorkloadContext["unpaid"] = [];
  for (const entry of context.unpaid) {
    const status = await entry.buyer.payin.checkoutStatus
      .query({ checkoutId: entry.checkoutId })
      .catch(() => null);
    const sessionId = sessionIdOfPageUrl(status?.pspSessionUrl);
    if (!status || (status.status === "EXECUTING" && !sessionId)) {
      still.push(entry);
      continue;
    }
    if (status.status !== "EXECUTING" || !sessionId || !entry.card) continue;
    const response = await fetch(`${context.emulatorUrl}/_emulator/checkout_sessions/${sessionId}/complete`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ card: entry.card, authenticate: true }),
    }).catch(() => null);
    if (!response || response.status >= 500) still.push(entry);
    else if (entry.card === cards.decline) {
      // The buyer tries another card after the decline.
      entry.card = cards.success;
      still.push(entry);
    }
  }
  context.unpaid = still;
}

async function refund(context: WorkloadContext) {
  const { rng } = context;
  const page = await context.finance.payin.search.query({ status: "SUCCEEDED", limit: 50 });
  const orders = page.items
    .flatMap((item) => item.orders)
    .filter((order) => order.amount > order.refundedAmount);
  if (orders.length === 0) return;
  const order = rng.pick(orders);
  const left = order.amount - order.refundedAmount;
  const amount = rng.chance(0.5) ? left : BigInt(rng.int(1, Number(left)));
  await context.finance.payin.refund.mutate({
    paymentOrderId: order.id,
    amount,
    reason: "chaos refund",
    idempotencyKey: rng.uuid(),
    password: "payrail-demo-pass",
  });
  count(context, amount === left ? "refund.full" : "refund.partial");
}

async function fulfil(context: WorkloadContext) {
  const seller = context.rng.pick(context.sellers);
  const orders = await seller.payin.sellerOrders.query({ limit: 20 });
  const open = orders.filter((order) => order.status === "SUCCESS" && !order.shippedAt);
  if (open.length === 0) return;
  await seller.payin.markShipped.mutate({ paymentOrderId: context.rng.pick(open).id });
  count(context, "fulfil");
}

/** Finance reconciles the last hour against the PSP (the run itself happens on a worker). */
async function reconcile(context: WorkloadContext) {
  const now = Date.now();
  await context.finance.reconciliation.start.mutate({
    start: new Date(now - 3_600_000),
    end: new Date(now + 60_000),
  });
  count(context, "reconcile");
}

/** Finance pays every seller with an available balance now (the transfers happen on workers). */
async function payoutRun(context: WorkloadContext) {
  await context.finance.payout.createRun.mutate({ onlyDue: false });
  count(context, "payoutRun");
}

/** Finance retries a payout that failed (a refused or reversed transfer), as a new attempt. */
async function payoutRetry(context: WorkloadContext) {
  const { runs } = await context.finance.payout.listRuns.query({ limit: 10 });
  if (runs.length === 0) return;
  const { payouts } = await context.finance.payout.runDetail.query({
    runId: context.rng.pick(runs).id,
    status: "FAILED",
    limit: 20,
  });
  const retryable = payouts.filter((payout) => !payout.retried);
  if (retryable.length === 0) return;
  await context.finance.payout.retryPayout.mutate({ payoutId: context.rng.pick(retryable).id });
  count(context, "payoutRetry");
}

export const actions = {
  checkout,
  payOpenSessions,
  refund,
  fulfil,
  reconcile,
  payoutRun,
  payoutRetry,
} as const;

/** Runs one random step; failures caused by injected faults are counted, not fatal. */
export async function step(
  context: WorkloadContext,
  extra: Record<string, (c: WorkloadContext) => Promise<void>> = {},
) {
  const all = { ...actions, ...extra };
  const weights: Record<string, number> = {
    checkout: 40,
    payOpenSessions: 30,
    refund: 10,
    fulfil: 10,
    reconcile: 1,
    payoutRun: 2,
    payoutRetry: 1,
  };
  for (const name of Object.keys(extra)) weights[name] = 2;
  const name = context.rng.weighted(weights);
  try {
    await all[name as keyof typeof all]!(context);
  } catch {
    // Mostly a process the faults just killed: count it and give it a moment to come back.
    count(context, `error.${name}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
