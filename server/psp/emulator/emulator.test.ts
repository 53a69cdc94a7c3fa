// Conformance of the emulator, through the unchanged `stripe` SDK.
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import type Stripe from "stripe";
import { afterAll, describe, expect, it } from "vitest";
import { waitFor } from "@/server/test/wait-for";
import { createStripeAdapter, createStripeClient } from "../stripe-adapter";
import { cardFee } from "./fees";
import { parseForm } from "./form-parser";
import { sessionIdOfPageUrl } from "./hosted-page";
import { startPspEmulator } from "./server";

const secret = "whsec_conformance";
const received: { body: string; signature: string }[] = [];
const receiver = createServer(async (request, response) => {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  received.push({
    body: Buffer.concat(chunks).toString(),
    signature: String(request.headers["stripe-signature"]),
  });
  response.end("ok");
});
await new Promise<void>((resolve) => receiver.listen(0, "127.0.0.1", resolve));
const emulator = await startPspEmulator({
  port: 0,
  webhookEndpoints: [{ url: `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/`, secret }],
});
const stripe = createStripeClient({
  secretKey: "sk_test_conformance",
  emulatorUrl: emulator.url,
  maxNetworkRetries: 0,
});
afterAll(async () => {
  await emulator.close();
  receiver.close();
});

async function control(path: string, body: unknown = {}) {
  const response = await fetch(`${emulator.url}/_emulator/${path}`, {
    method: "POST",
    body: JSON.stringify(body),
  });
  return response.json();
}

function newSession(key?: string, amount = 2000) {
  return stripe.checkout.sessions.create(
    {
      mode: "payment",
      line_items: [
        { quantity: 2, price_data: { currency: "usd", unit_amount: amount, product_data: { name: "Mug" } } },
      ],
      success_url: "http://127.0.0.1:3000/done?session_id={CHECKOUT_SESSION_ID}",
      cancel_url: "http://127.0.0.1:3000/cancel",
      client_reference_id: "checkout-1",
      metadata: { payment_event_id: "checkout-1" },
      payment_intent_data: { metadata: { payment_event_id: "checkout-1" } },
    },
    key ? { idempotencyKey: key } : undefined,
  );
}

describe("the PSP emulator", () => {
  it("refuses a missing or malformed key with 401 as Stripe does", async () => {
    const anonymous = await fetch(`${emulator.url}/v1/checkout/sessions/cs_x`);
    expect(anonymous.status).toBe(401);
    const bad = createStripeClient({
      secretKey: "pk_live_nope",
      emulatorUrl: emulator.url,
      maxNetworkRetries: 0,
    });
    await expect(bad.refunds.list()).rejects.toMatchObject({ statusCode: 401 });
  });

  it("creates a checkout session with the template substituted and Stripe's shape", async () => {
    const session = await newSession();
    expect(session).toMatchObject({
      object: "checkout.session",
      mode: "payment",
      status: "open",
      payment_status: "unpaid",
      amount_total: 4000,
      livemode: false,
    });
    expect(session.id).toMatch(/^cs_test_/);
    expect(session.success_url).toBe(`http://127.0.0.1:3000/done?session_id=${session.id}`);
    expect((await stripe.checkout.sessions.retrieve(session.id)).id).toBe(session.id);
    expect(sessionIdOfPageUrl(session.url)).toBe(session.id);
    // Ids may hold "-" and "_" (the scripted buyers once cut them short at a "-").
    expect(sessionIdOfPageUrl("http://127.0.0.1:1/pay/cs_test_00a-b_c?x=1")).toBe("cs_test_00a-b_c");
  });

  it("replays an idempotent request, refuses other params under the key, and 409s a concurrent one", async () => {
    const first = await newSession("key-1");
    const replay = await newSession("key-1");
    expect(replay.id).toBe(first.id);
    expect(replay.lastResponse.headers["idempotent-replayed"]).toBe("true");
    await expect(newSession("key-1", 999)).rejects.toMatchObject({
      type: "StripeIdempotencyError",
      statusCode: 400,
    });
    await control("latency", { ms: 300 });
    const both = await Promise.allSettled([newSession("key-2"), newSession("key-2")]);
    await control("latency", { ms: 0 });
    expect(
      both
        .filter((result) => result.status === "rejected")
        .map((result) => (result as PromiseRejectedResult).reason.statusCode),
    ).toEqual([409]);
  });

  it("completes a session with a test card, charges a fee and sends a webhook the SDK verifies", async () => {
    const session = await newSession();
    expect(await control(`checkout_sessions/${session.id}/complete`, { card: "4242424242424242" })).toEqual({
      status: "paid",
    });
    const paid = await stripe.checkout.sessions.retrieve(session.id, { expand: ["payment_intent"] });
    expect(paid).toMatchObject({ status: "complete", payment_status: "paid" });
    const intent = paid.payment_intent as Stripe.PaymentIntent;
    const charge = await stripe.charges.retrieve(intent.latest_charge as string);
    const txn = await stripe.balanceTransactions.retrieve(charge.balance_transaction as string);
    expect(txn).toMatchObject({
      type: "charge",
      amount: 4000,
      fee: cardFee(4000),
      net: 4000 - cardFee(4000),
      source: charge.id,
    });
    await waitFor(() => received.some((item) => item.body.includes('"checkout.session.completed"')));
    const delivery = received.find((item) => item.body.includes('"checkout.session.completed"'))!;
    const event = stripe.webhooks.constructEvent(delivery.body, delivery.signature, secret);
    expect((event.data.object as Stripe.Checkout.Session).id).toBe(session.id);
    expect(() => stripe.webhooks.constructEvent(delivery.body, delivery.signature, "whsec_wrong")).toThrow();
  });

  it("declines with Stripe's codes and keeps the session open for another card", async () => {
    const intent = stripe.paymentIntents.create({
      amount: 1500,
      currency: "usd",
      payment_method: "pm_card_chargeDeclinedInsufficientFunds",
      confirm: true,
    });
    await expect(intent).rejects.toMatchObject({
      type: "StripeCardError",
      statusCode: 402,
      code: "card_declined",
      decline_code: "insufficient_funds",
    });
    const session = await newSession();
    expect(
      await control(`checkout_sessions/${session.id}/complete`, { card: "4000000000000002" }),
    ).toMatchObject({ status: "declined" });
    expect((await stripe.checkout.sessions.retrieve(session.id)).status).toBe("open");
  });

  it("refunds fully and partially, and rejects an over-refund", async () => {
    const intent = await stripe.paymentIntents.create({
      amount: 5000,
      currency: "usd",
      payment_method: "pm_card_visa",
      confirm: true,
    });
    const partial = await stripe.refunds.create({ payment_intent: intent.id, amount: 1200 });
    expect(partial).toMatchObject({ object: "refund", amount: 1200, status: "succeeded" });
    await expect(stripe.refunds.create({ payment_intent: intent.id, amount: 4000 })).rejects.toMatchObject({
      statusCode: 400,
      param: "amount",
    });
    const rest = await stripe.refunds.create({ payment_intent: intent.id });
    expect(rest.amount).toBe(3800);
    await expect(stripe.refunds.create({ payment_intent: intent.id })).rejects.toMatchObject({
      code: "charge_already_refunded",
    });
  });

  it("fails a refund later for the refund-failure test card", async () => {
    const intent = await stripe.paymentIntents.create({
      amount: 3000,
      currency: "usd",
      payment_method: "pm_card_refundFail",
      confirm: true,
    });
    const refund = await stripe.refunds.create({ payment_intent: intent.id });
    expect(refund.status).toBe("succeeded");
    await waitFor(async () => (await stripe.refunds.retrieve(refund.id)).status === "failed");
  });

  it("creates connected accounts, transfers and reversals, and settles payouts", async () => {
    const account = await stripe.accounts.create({ type: "express", email: "s@example.test" });
    const transfer = await stripe.transfers.create({ amount: 700, currency: "usd", destination: account.id });
    expect(transfer).toMatchObject({
      object: "transfer",
      amount: 700,
      destination: account.id,
      reversed: false,
    });
    await stripe.transfers.createReversal(transfer.id, { amount: 700 });
    expect((await stripe.transfers.retrieve(transfer.id)).reversed).toBe(true);
    await expect(
      stripe.transfers.create({ amount: 1, currency: "usd", destination: "acct_missing" }),
    ).rejects.toMatchObject({ statusCode: 400 });
    const payout = await stripe.payouts.create({ amount: 500, currency: "usd" });
    await control(`payouts/${payout.id}/failed`);
    expect((await stripe.payouts.retrieve(payout.id)).status).toBe("failed");
  });

  it("pages through balance transactions with cursors and created filters", async () => {
    const from = Math.floor(Date.now() / 1000) - 5;
    for (let index = 0; index < 120; index++)
      await stripe.payouts.create({ amount: 100 + index, currency: "usd" });
    const all: Stripe.BalanceTransaction[] = [];
    for await (const txn of stripe.balanceTransactions.list({
      limit: 100,
      type: "payout",
      created: { gte: from },
    }))
      all.push(txn);
    expect(all.length).toBeGreaterThanOrEqual(120);
    expect(new Set(all.map((txn) => txn.id)).size).toBe(all.length);
    const firstPage = await stripe.balanceTransactions.list({ limit: 100, type: "payout" });
    expect(firstPage.has_more).toBe(true);
    const none = await stripe.balanceTransactions.list({ created: { lt: from - 3600 } });
    expect(none.data).toEqual([]);
  });

  it("injects 500s the SDK retries with the same key, and timeouts after which a retry replays", async () => {
    const retrying = createStripeClient({
      secretKey: "sk_test_retry",
      emulatorUrl: emulator.url,
      maxNetworkRetries: 3,
      timeoutMs: 1000,
    });
    await control("faults", { path: "^/v1/checkout/sessions$", kind: "error500", count: 2 });
    const created = await retrying.checkout.sessions.create(
      {
        mode: "payment",
        line_items: [
          { quantity: 1, price_data: { currency: "usd", unit_amount: 900, product_data: { name: "x" } } },
        ],
        success_url: "http://127.0.0.1/ok",
      },
      { idempotencyKey: "retry-500" },
    );
    expect(created.status).toBe("open");
    await control("faults", { path: "^/v1/refunds$", kind: "timeout_after_effect", count: 1 });
    const intent = await stripe.paymentIntents.create({
      amount: 900,
      currency: "usd",
      payment_method: "pm_card_visa",
      confirm: true,
    });
    const refund = await retrying.refunds.create(
      { payment_intent: intent.id, amount: 100 },
      { idempotencyKey: "timeout-refund" },
    );
    const refunds = await stripe.refunds.list({ payment_intent: intent.id });
    expect(refunds.data.map((item) => item.id)).toEqual([refund.id]);
  });

  it("backs off on 429 and succeeds once the PSP lets it through", async () => {
    const patient = createStripeAdapter({ secretKey: "sk_test_patient", emulatorUrl: emulator.url });
    await control("faults", { path: "^/v1/accounts$", kind: "error429", count: 2 });
    const account = await patient.createConnectedAccount({ sellerId: "seller-429", email: "s@example.test" });
    expect(account.accountId).toMatch(/^acct_/);
    expect(emulator.faults.pending).toBe(0); // both throttled attempts were made and answered 429
    await control("faults", { path: "^/v1/accounts$", kind: "error429", count: 5 });
    await expect(stripe.accounts.create({ type: "express" })).rejects.toMatchObject({ statusCode: 429 });
    await control("faults/clear");
  });

  it("still answers the control API under its old /_control/ prefix", async () => {
    const state = await fetch(`${emulator.url}/_control/state`);
    expect(state.status).toBe(200);
    expect(await state.json()).toHaveProperty("sessions");
    const unknown = await fetch(`${emulator.url}/_emulator/faults`, {
      method: "POST",
      body: JSON.stringify({ kind: "meteor" }),
    });
    expect(unknown.status).toBe(400);
  });

  it("resets the connection: the SDK sees a StripeConnectionError, and a retry with the key succeeds once", async () => {
    // The SDK retries a reset once even without retries (a stale keep-alive socket): two resets.
    await control("faults", { path: "^/v1/accounts$", kind: "connection_reset", count: 2 });
    await expect(stripe.accounts.create({ type: "express" })).rejects.toMatchObject({
      type: "StripeConnectionError",
    });
    expect(emulator.faults.pending).toBe(0);
    const retrying = createStripeClient({
      secretKey: "sk_test_reset",
      emulatorUrl: emulator.url,
      maxNetworkRetries: 2,
    });
    await control("faults", { path: "^/v1/payouts$", method: "POST", kind: "connection_reset", count: 1 });
    const payout = await retrying.payouts.create(
      { amount: 4321, currency: "usd" },
      { idempotencyKey: "reset-payout" },
    );
    const payouts = await stripe.payouts.list({ limit: 100 });
    expect(payouts.data.filter((item) => item.amount === 4321).map((item) => item.id)).toEqual([payout.id]);
    expect(emulator.faults.pending).toBe(0);
  });

  it("times out before the effect (kind timeout) and delays a request (kind delay with a path)", async () => {
    const impatient = createStripeClient({
      secretKey: "sk_test_impatient",
      emulatorUrl: emulator.url,
      maxNetworkRetries: 0,
      timeoutMs: 300,
    });
    const before = (await stripe.payouts.list({ limit: 100 })).data.length;
    await control("faults", { path: "^/v1/payouts$", method: "POST", kind: "timeout", count: 1 });
    await expect(impatient.payouts.create({ amount: 999, currency: "usd" })).rejects.toMatchObject({
      type: "StripeConnectionError",
    });
    expect((await stripe.payouts.list({ limit: 100 })).data.length).toBe(before);

    await control("faults", { path: "^/v1/balance$", kind: "delay", delayMs: 400, count: 1 });
    const started = performance.now();
    await stripe.balance.retrieve();
    expect(performance.now() - started).toBeGreaterThanOrEqual(390);
    expect(emulator.faults.pending).toBe(0);
  });

  it("replays an existing event to the webhook endpoints, signed afresh", async () => {
    const [event] = (await stripe.events.list({ limit: 1, type: "checkout.session.completed" })).data;
    expect(event).toBeDefined();
    const deliveries = () =>
      received.filter((item) => (JSON.parse(item.body) as { id: string }).id === event!.id);
    await waitFor(() => deliveries().length >= 1);
    const count = deliveries().length;
    const answer = await control(`events/${event!.id}/replay`);
    expect(answer).toMatchObject({ ok: true, event: event!.id, endpoints: 1 });
    await waitFor(() => deliveries().length > count);
    const replayed = deliveries().at(-1)!;
    expect(stripe.webhooks.constructEvent(replayed.body, replayed.signature, secret).id).toBe(event!.id);
    const missing = await fetch(`${emulator.url}/_emulator/events/evt_missing/replay`, { method: "POST" });
    expect(missing.status).toBe(404);
  });

  it("sends an endpoint only the event types it enabled (enabled_events)", async () => {
    const own = await startPspEmulator({ port: 0 });
    const client = createStripeClient({ secretKey: "sk_test_enabled_events", emulatorUrl: own.url });
    const deliveries: { path: string; type: string }[] = [];
    const listener = createServer(async (request, response) => {
      const chunks: Buffer[] = [];
      for await (const chunk of request) chunks.push(chunk as Buffer);
      deliveries.push({ path: request.url!, type: JSON.parse(Buffer.concat(chunks).toString()).type });
      response.end("ok");
    });
    await new Promise<void>((resolve) => listener.listen(0, "127.0.0.1", resolve));
    const base = `http://127.0.0.1:${(listener.address() as AddressInfo).port}`;
    const register = (body: unknown) =>
      fetch(`${own.url}/_emulator/webhook_endpoints`, { method: "POST", body: JSON.stringify(body) });
    try {
      await register({ url: `${base}/all`, secret });
      await register({ url: `${base}/some`, secret, enabled_events: ["checkout.session.completed"] });
      const session = await client.checkout.sessions.create({
        mode: "payment",
        line_items: [
          { quantity: 1, price_data: { currency: "usd", unit_amount: 900, product_data: { name: "Cup" } } },
        ],
        success_url: "http://127.0.0.1:3000/done",
      });
      await fetch(`${own.url}/_emulator/checkout_sessions/${session.id}/complete`, {
        method: "POST",
        body: JSON.stringify({ card: "4242424242424242" }),
      });
      const events = (await client.events.list({ limit: 10 })).data;
      const pending = Object.fromEntries(events.map((event) => [event.type, event.pending_webhooks]));
      expect(pending).toMatchObject({
        "checkout.session.completed": 2,
        "charge.succeeded": 1,
        "payment_intent.succeeded": 1,
      });
      const charged = events.find((event) => event.type === "charge.succeeded")!;
      const replay = await fetch(`${own.url}/_emulator/events/${charged.id}/replay`, { method: "POST" });
      expect(await replay.json()).toMatchObject({ endpoints: 1 });
      const types = (path: string) =>
        deliveries.filter((item) => item.path === path).map((item) => item.type);
      await waitFor(() => types("/all").length >= 4 && types("/some").length >= 1);
      expect(new Set(types("/all"))).toEqual(
        new Set(["checkout.session.completed", "charge.succeeded", "payment_intent.succeeded"]),
      );
      expect(types("/some")).toEqual(["checkout.session.completed"]);
    } finally {
      await own.close();
      listener.close();
    }
  });

  it("keeps funds pending until available_on or a settle, and reports them in the balance", async () => {
    // Its own emulator: advancing the clock here would expire the other tests' sessions.
    const own = await startPspEmulator({ port: 0 });
    const client = createStripeClient({ secretKey: "sk_test_balance", emulatorUrl: own.url });
    const settle = (path: string, body: unknown = {}) =>
      fetch(`${own.url}/_emulator/${path}`, { method: "POST", body: JSON.stringify(body) }).then((response) =>
        response.json(),
      );
    try {
      expect(await client.balance.retrieve()).toMatchObject({
        object: "balance",
        available: [{ amount: 0, currency: "usd" }],
        pending: [{ amount: 0, currency: "usd" }],
      });
      const pay = () =>
        client.paymentIntents.create({
          amount: 10_000,
          currency: "usd",
          payment_method: "pm_card_visa",
          confirm: true,
        });
      const first = await client.charges.retrieve((await pay()).latest_charge as string);
      const net = 10_000 - cardFee(10_000);
      expect((await client.balance.retrieve()).pending[0]!.amount).toBe(net);
      const settled = await settle("balance/settle");
      expect(settled).toMatchObject({ settled: 1, balance: { available: [{ amount: net }] } });
      const txn = await client.balanceTransactions.retrieve(first.balance_transaction as string);
      expect(txn.status).toBe("available");
      expect(txn.available_on).toBeLessThanOrEqual(Math.floor(Date.now() / 1000) + 1);

      // The clock passing available_on settles too.
      const second = await client.charges.retrieve((await pay()).latest_charge as string);
      expect((await client.balance.retrieve()).pending[0]!.amount).toBe(net);
      await settle("clock", { advanceSeconds: 2 * 86_400 + 1 });
      const balance = await client.balance.retrieve();
      expect(balance.available[0]!.amount).toBe(2 * net);
      expect(balance.pending[0]!.amount).toBe(0);
      expect((await client.balanceTransactions.retrieve(second.balance_transaction as string)).status).toBe(
        "available",
      );
    } finally {
      await own.close();
    }
  });

  it("parses Stripe's bracket form encoding", () => {
    expect(parseForm("a[b][0][c]=1&a[b][1][c]=2&expand[]=x&expand[]=y&m[k]=v")).toEqual({
      a: { b: [{ c: "1" }, { c: "2" }] },
      expand: ["x", "y"],
      m: { k: "v" },
    });
  });
});
