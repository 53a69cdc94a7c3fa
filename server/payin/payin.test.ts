// Pay-in end to end on real parts: PostgreSQL, the PSP emulator through the stripe SDK, signed
// webhooks into Payrail's own receiver, and pg-boss workers.
import { randomUUID } from "node:crypto";
import type Stripe from "stripe";
import { describe, expect, it } from "vitest";
import { createPostgresClient } from "@/server/db";
import { NotFoundError } from "@/server/errors";
import { checkLedgerInvariants } from "@/server/ledger/invariants";
import { sessionIdOfPageUrl } from "@/server/psp/emulator/hosted-page";
import { signPayload } from "@/server/psp/emulator/webhooks";
import { createStripeClient } from "@/server/psp/stripe-adapter";
import { callerAs, createUser } from "@/server/test/callers";
import { startPayinHarness, WEBHOOK_SECRET } from "@/server/test/payin-harness";
import { waitFor } from "@/server/test/wait-for";
import { createCheckout } from "./create-checkout";
import { recordPaymentSucceeded } from "./record-outcome";
import { recoverStalePayments } from "./recover";
import { releaseHeldOrders } from "./release";
import { createPspSession } from "./start-psp-session";
import { syncPaymentStatus } from "./sync-status";
import { receivePspWebhook } from "./webhook-endpoint";
import { processWebhookEvent, storeWebhookEvent, sweepUnprocessedWebhooks } from "./webhooks";

process.env.PAYRAIL_RATE_LIMITS = "off";
process.env.RISK_VELOCITY_LIMIT = "1000";
const h = await startPayinHarness();

const cart = () => ({
  idempotencyKey: randomUUID(),
  items: [
    { productId: h.products[0]!.id, quantity: 2 }, // 2 × $25.00, seller 0 at 10 %
    { productId: h.products[1]!.id, quantity: 1 }, // 1 × $35.00, seller 1 at 8 %
  ],
});

async function status(checkoutId: string) {
  return (await h.buyerCaller()).payin.checkoutStatus({ checkoutId });
}

async function postings(checkoutId: string) {
  const { rows } = await h.sql.query(
    `SELECT count(*)::int AS n FROM ledger_transaction t JOIN payment_order o ON t.reference = o.id::text
      WHERE t.kind = 'payin' AND o.payment_event_id = $1`,
    [checkoutId],
  );
  return rows[0].n as number;
}

/** A checkout paid while webhooks were dropped: still EXECUTING, its success event undelivered. */
async function paidUnannounced() {
  await h.control("faults", { kind: "drop", count: 20 });
  const buyer = await h.buyerCaller();
  const { checkoutId } = await buyer.payin.checkout(cart());
  await h.pay(
    sessionIdOfPageUrl(
      (await h.db.paymentEvent.findUniqueOrThrow({ where: { id: checkoutId } })).pspSessionUrl,
    ),
  );
  await h.control("faults/clear");
  const psp = createStripeClient({ secretKey: "sk_test_payrail", emulatorUrl: h.emulator.url });
  const succeeded = (await psp.events.list({ type: "payment_intent.succeeded", limit: 100 })).data.find(
    (event) => (event.data.object as Stripe.PaymentIntent).metadata.payment_event_id === checkoutId,
  )!;
  return { checkoutId, succeeded };
}

/** A counter of the emulator's state (sessions, charges, events, pending faults, …). */
async function pspState(counter: string): Promise<number> {
  const state = (await (await fetch(`${h.emulator.url}/_emulator/state`)).json()) as Record<string, number>;
  return state[counter]!;
}

async function paidCheckout() {
  const buyer = await h.buyerCaller();
  const { checkoutId } = await buyer.payin.checkout(cart());
  const started = await status(checkoutId);
  await h.pay(sessionIdOfPageUrl(started.pspSessionUrl));
  await waitFor(
    async () =>
      (await h.db.paymentEvent.findUniqueOrThrow({ where: { id: checkoutId } })).status === "SUCCEEDED",
  );
  return checkoutId;
}

describe("checkout", () => {
  it("splits the cart per seller, pays through the hosted page and posts each order once", async () => {
    const buyer = await h.buyerCaller();
    const { checkoutId } = await buyer.payin.checkout(cart());
    const started = await status(checkoutId);
    expect(started.status).toBe("EXECUTING");
    expect(started.totalAmount).toBe(8_500n); // $85.00
    expect(started.orders.map((order) => [order.amount, order.commission])).toEqual(
      expect.arrayContaining([
        [5_000n, 500n],
        [3_500n, 280n],
      ]),
    );
    expect((await h.pay(sessionIdOfPageUrl(started.pspSessionUrl))).body).toEqual({ status: "paid" });
    await waitFor(
      async () =>
        (await h.db.paymentEvent.findUniqueOrThrow({ where: { id: checkoutId } })).status === "SUCCEEDED",
    );
    const event = await h.db.paymentEvent.findUniqueOrThrow({
      where: { id: checkoutId },
      include: { orders: true },
    });
    expect(event.pspChargeId).toMatch(/^ch_/);
    expect(
      event.orders.every((order) => order.status === "SUCCESS" && order.ledgerUpdated && order.walletUpdated),
    ).toBe(true);
    expect(await postings(checkoutId)).toBe(2);
    const wallet = await h.db.wallet.findFirstOrThrow({ where: { sellerId: h.sellers[0]!.seller!.id } });
    expect(wallet.pending).toBeGreaterThanOrEqual(4_500n); // $45.00 after 10 %
    expect((await checkLedgerInvariants(h.db)).violations).toEqual([]);
  });

  it("returns the first checkout for a replayed key and refuses the key with another cart", async () => {
    const buyer = await h.buyerCaller();
    const input = cart();
    const first = await buyer.payin.checkout(input);
    // The buyer goes straight to the PSP's hosted page; a replay sends them to the same one.
    expect(first.paymentUrl).toBe(
      (await h.db.paymentEvent.findUniqueOrThrow({ where: { id: first.checkoutId } })).pspSessionUrl,
    );
    expect(first.paymentUrl).toMatch(/cs_/);
    // A replay is answered from the stored checkout: no second session is opened for it.
    const sessionsBefore = await pspState("sessions");
    expect(await buyer.payin.checkout(input)).toEqual(first);
    expect(await pspState("sessions")).toBe(sessionsBefore);
    await expect(
      buyer.payin.checkout({ ...input, items: [{ productId: h.products[0]!.id, quantity: 9 }] }),
    ).rejects.toMatchObject({
      code: "CONFLICT",
    });
  });

  it("creates one checkout for concurrent requests with one key", async () => {
    const input = cart();
    const results = await Promise.all(
      Array.from({ length: 6 }, async () => (await h.buyerCaller()).payin.checkout(input)),
    );
    expect(new Set(results.map((result) => result.checkoutId)).size).toBe(1);
    expect(await h.db.paymentEvent.count({ where: { idempotencyKey: input.idempotencyKey } })).toBe(1);
  });

  it("prepares the checkout call's statements by name on its connection", async () => {
    const oneConnection = createPostgresClient(h.url, 1);
    try {
      await createCheckout(oneConnection, { id: h.buyer.user.id, name: h.buyer.user.name }, cart());
      const prepared = await oneConnection.$queryRawUnsafe<{ name: string }[]>(
        `SELECT name FROM pg_prepared_statements ORDER BY name`,
      );
      expect(prepared.map((row) => row.name)).toEqual(["checkout_insert_batch", "checkout_read_batch"]);
    } finally {
      await oneConnection.$disconnect();
    }
  });

  it("rejects bad input with field errors and writes nothing", async () => {
    const buyer = await h.buyerCaller();
    const before = await h.db.paymentEvent.count();
    await expect(buyer.payin.checkout({ idempotencyKey: "nope", items: [] })).rejects.toMatchObject({
      code: "BAD_REQUEST",
    });
    await expect(
      buyer.payin.checkout({
        idempotencyKey: randomUUID(),
        items: [{ productId: randomUUID(), quantity: 1 }],
      }),
    ).rejects.toMatchObject({ code: "BAD_REQUEST" });
    expect(await h.db.paymentEvent.count()).toBe(before);
  });

  it("shows a decline in plain words and lets the buyer pay with another card", async () => {
    const buyer = await h.buyerCaller();
    const { checkoutId } = await buyer.payin.checkout(cart());
    const sessionId = sessionIdOfPageUrl((await status(checkoutId)).pspSessionUrl);
    await h.pay(sessionId, "4000000000009995");
    await waitFor(
      async () => (await status(checkoutId)).failureMessage?.includes("insufficient funds") ?? false,
    );
    expect((await status(checkoutId)).status).toBe("EXECUTING");
    await h.pay(sessionId);
    await waitFor(async () => (await status(checkoutId)).status === "SUCCEEDED");
    expect(await postings(checkoutId)).toBe(2);
  });

  it("fails an expired session, posts nothing, and lets the buyer retry with a new session", async () => {
    const buyer = await h.buyerCaller();
    const { checkoutId } = await buyer.payin.checkout(cart());
    const first = sessionIdOfPageUrl((await status(checkoutId)).pspSessionUrl);
    await fetch(`${h.emulator.url}/v1/checkout/sessions/${first}/expire`, {
      method: "POST",
      headers: { authorization: "Bearer sk_test_x" },
    });
    await waitFor(async () => (await status(checkoutId)).status === "FAILED");
    expect(await postings(checkoutId)).toBe(0);
    await buyer.payin.retryCheckout({ checkoutId });
    const retried = await status(checkoutId);
    expect(retried.status).toBe("EXECUTING");
    expect(sessionIdOfPageUrl(retried.pspSessionUrl)).not.toBe(first);
    await h.pay(sessionIdOfPageUrl(retried.pspSessionUrl));
    await waitFor(async () => (await status(checkoutId)).status === "SUCCEEDED");
    expect(await postings(checkoutId)).toBe(2);
  });
});

describe("webhooks and the PSP's faults", () => {
  it("records a success from the signed payment_intent.succeeded alone, without asking the PSP", async () => {
    const { checkoutId, succeeded } = await paidUnannounced();
    const intent = succeeded.data.object as Stripe.PaymentIntent;
    // Every API call to the PSP fails from here: processing must not need one.
    await h.control("faults", { kind: "error500", count: 100 });
    try {
      expect(await storeWebhookEvent(h.db, succeeded)).toBe(true);
      await processWebhookEvent(h.db, succeeded.id);
    } finally {
      await h.control("faults/clear");
    }
    expect(await h.db.paymentEvent.findUniqueOrThrow({ where: { id: checkoutId } })).toMatchObject({
      status: "SUCCEEDED",
      pspPaymentIntentId: intent.id,
      pspChargeId: intent.latest_charge,
    });
    expect(await postings(checkoutId)).toBe(2);
    expect(
      (await h.db.pspWebhookEvent.findUniqueOrThrow({ where: { id: succeeded.id } })).processedAt,
    ).not.toBe(null);
    expect(await checkLedgerInvariants(h.db)).toMatchObject({ ok: true });
  });

  it("gets to SUCCEEDED without any webhook: the return page asks the PSP", async () => {
    await h.control("faults", { kind: "drop", count: 20 });
    const buyer = await h.buyerCaller();
    const { checkoutId } = await buyer.payin.checkout(cart());
    await h.pay(sessionIdOfPageUrl((await status(checkoutId)).pspSessionUrl));
    expect((await status(checkoutId)).status).toBe("SUCCEEDED");
    await h.control("faults/clear");
  });

  it("asks the PSP about checkouts together, each with its own answer, an unknown one failing alone", async () => {
    await h.control("faults", { kind: "drop", count: 20 });
    const buyer = await h.buyerCaller();
    const paid = (await buyer.payin.checkout(cart())).checkoutId;
    const open = (await buyer.payin.checkout(cart())).checkoutId;
    await h.pay(
      sessionIdOfPageUrl((await h.db.paymentEvent.findUniqueOrThrow({ where: { id: paid } })).pspSessionUrl),
    );
    await h.control("faults/clear");
    const outcomes = await Promise.allSettled(
      [paid, open, randomUUID()].map((id) => syncPaymentStatus(h.db, id, "test")),
    );
    expect(
      outcomes.map((outcome) => (outcome.status === "fulfilled" ? outcome.value : outcome.reason.name)),
    ).toEqual(["succeeded", "open", "NotFoundError"]);
    expect(await postings(paid)).toBe(2);
  });

  it("posts once however often and in whatever order the webhooks arrive", async () => {
    await h.control("faults", { kind: "duplicate", count: 10 });
    await h.control("faults", { kind: "reorder", count: 4 });
    const checkoutId = await paidCheckout();
    await waitFor(
      async () => (await h.db.pspWebhookEvent.count({ where: { processedAt: null } })) === 0,
      20_000,
    );
    expect(await postings(checkoutId)).toBe(2);
    await h.control("faults/clear");
  });

  it("processes a stored event by the sweep's job when processing on receipt never ran", async () => {
    // The PSP's webhook is dropped; the event is then stored as the endpoint stores an event whose
    // processing failed, as if the process died before it could process it again.
    const { checkoutId, succeeded: completed } = await paidUnannounced();
    expect(await storeWebhookEvent(h.db, completed)).toBe(true);
    // The cron sweep, called now instead of on the minute; the workers run the job it enqueues.
    expect(await sweepUnprocessedWebhooks(h.db, 0)).toBeGreaterThanOrEqual(1);
    await waitFor(
      async () =>
        (await h.db.pspWebhookEvent.findUniqueOrThrow({ where: { id: completed.id } })).processedAt !== null,
      20_000,
    );
    expect((await h.db.paymentEvent.findUniqueOrThrow({ where: { id: checkoutId } })).status).toBe(
      "SUCCEEDED",
    );
    expect(await postings(checkoutId)).toBe(2);
  });

  it("records a success with its event in one transaction before answering; a replay changes nothing", async () => {
    const { checkoutId, succeeded } = await paidUnannounced();
    const deliver = (event: object) => {
      const body = JSON.stringify(event);
      const signature = signPayload(body, WEBHOOK_SECRET, Math.floor(Date.now() / 1000));
      return receivePspWebhook(h.db, body, signature, [WEBHOOK_SECRET]);
    };
    expect(await deliver(succeeded)).toEqual({ status: 200, body: { received: true, duplicate: false } });
    // Committed by the time of the answer: nothing to wait for.
    expect((await h.db.paymentEvent.findUniqueOrThrow({ where: { id: checkoutId } })).status).toBe(
      "SUCCEEDED",
    );
    expect(await postings(checkoutId)).toBe(2);
    const stored = await h.db.pspWebhookEvent.findUniqueOrThrow({ where: { id: succeeded.id } });
    expect(stored.processedAt).not.toBe(null);
    expect(stored.payload).toEqual(succeeded);
    expect(await deliver(succeeded)).toEqual({ status: 200, body: { received: true, duplicate: true } });
    expect(await h.db.pspWebhookEvent.count({ where: { id: succeeded.id } })).toBe(1);
    expect(await postings(checkoutId)).toBe(2);
    // A success that cannot be recorded (no such checkout) is stored like any other event, for
    // processing and, failing that, the sweep's job and its dead-letter queue.
    const intent = succeeded.data.object as Stripe.PaymentIntent;
    const orphan = {
      ...succeeded,
      id: `evt_orphan_${randomUUID()}`,
      data: { object: { ...intent, metadata: { ...intent.metadata, payment_event_id: randomUUID() } } },
    };
    expect(await deliver(orphan)).toEqual({ status: 200, body: { received: true, duplicate: false } });
    expect(await h.db.pspWebhookEvent.count({ where: { id: orphan.id } })).toBe(1);
    expect(await checkLedgerInvariants(h.db)).toMatchObject({ ok: true });
  });

  it("stores a replayed webhook once and refuses a bad signature", async () => {
    const event = await h.db.pspWebhookEvent.findFirstOrThrow();
    const body = JSON.stringify(event.payload);
    const forged = await receivePspWebhook(h.db, body, "t=1,v1=deadbeef", [WEBHOOK_SECRET]);
    expect(forged.status).toBe(400);
  });

  it("survives a PSP outage at checkout: recovery creates the session once", async () => {
    await h.control("faults", { path: "^/v1/checkout/sessions$", kind: "error500", count: 10 });
    const buyer = await h.buyerCaller();
    const { checkoutId } = await buyer.payin.checkout(cart());
    expect(
      (await h.db.paymentEvent.findUniqueOrThrow({ where: { id: checkoutId } })).pspSessionId,
    ).toBeNull();
    await h.control("faults/clear");
    await recoverStalePayments(h.db, 0);
    await recoverStalePayments(h.db, 0);
    const event = await h.db.paymentEvent.findUniqueOrThrow({ where: { id: checkoutId } });
    expect(event.pspSessionId).toMatch(/^cs_/);
    const sessions = await (
      await fetch(`${h.emulator.url}/v1/checkout/sessions?limit=100`, {
        headers: { authorization: "Bearer sk_test_x" },
      })
    ).json();
    expect(
      sessions.data.filter(
        (session: { metadata: Record<string, string> }) => session.metadata.payment_event_id === checkoutId,
      ),
    ).toHaveLength(1);
  });

  it("a timeout whose session was created at the PSP is resolved to that same session", async () => {
    process.env.STRIPE_TIMEOUT_MS = "800";
    await h.control("faults", { path: "^/v1/checkout/sessions$", kind: "timeout_after_effect", count: 3 });
    const buyer = await h.buyerCaller();
    const { checkoutId } = await buyer.payin.checkout(cart());
    process.env.STRIPE_TIMEOUT_MS = "10000";
    await h.control("faults/clear");
    await recoverStalePayments(h.db, 0);
    const sessions = await (
      await fetch(`${h.emulator.url}/v1/checkout/sessions?limit=100`, {
        headers: { authorization: "Bearer sk_test_x" },
      })
    ).json();
    expect(
      sessions.data.filter(
        (session: { metadata: Record<string, string> }) => session.metadata.payment_event_id === checkoutId,
      ),
    ).toHaveLength(1);
  });
});

describe("a buyer's payments", () => {
  it("come newest first, a page at a time, without gaps or repeats", async () => {
    const { user } = await createUser(h.db, "BUYER");
    const buyer = await callerAs(h.db, user.id);
    const created: string[] = [];
    for (let index = 0; index < 5; index++) created.unshift((await buyer.payin.checkout(cart())).checkoutId);
    const seen: string[] = [];
    let cursor: string | undefined;
    do {
      const page = await buyer.payin.myCheckouts({ limit: 2, cursor });
      expect(page.items.length).toBeLessThanOrEqual(2);
      seen.push(...page.items.map((item) => item.id));
      cursor = page.nextCursor;
    } while (cursor);
    expect(seen).toEqual(created);
  });

  it("say what was bought from whom", async () => {
    const { user } = await createUser(h.db, "BUYER");
    const buyer = await callerAs(h.db, user.id);
    await buyer.payin.checkout(cart());
    const [listed] = (await buyer.payin.myCheckouts({ limit: 1 })).items;
    const bought = listed!.orders.map((order) => ({ seller: order.sellerName, items: order.items }));
    const sellers = h.sellers.map((seller) => seller.seller!.name);
    expect(bought).toHaveLength(2);
    expect(bought).toEqual(
      expect.arrayContaining([
        { seller: sellers[0], items: [expect.objectContaining({ name: "Product 0", quantity: 2 })] },
        { seller: sellers[1], items: [expect.objectContaining({ name: "Product 1", quantity: 1 })] },
      ]),
    );
  });
});

describe("checkouts created together", () => {
  const buyer = () => ({ id: h.buyer.user.id, name: h.buyer.user.name });
  /** The database transactions that wrote these checkouts' orders (a row's xmin is its writer's). */
  const writers = async (checkoutIds: string[]) => {
    const { rows } = await h.sql.query(
      `SELECT DISTINCT xmin::text FROM payment_order WHERE payment_event_id = ANY($1::uuid[])`,
      [checkoutIds],
    );
    return rows.length;
  };

  /**
   * Runs `start` while payment_event is locked against inserts, until `sessions` more PSP sessions
   * are open: the first checkout to be stored waits on the lock, alone in its batch, and the others
   * arrive meanwhile, so they go together in the next one.
   */
  async function whileInsertsWait<T>(sessions: number, start: () => Promise<T>): Promise<T> {
    const before = await pspState("sessions");
    const holder = await h.sql.connect();
    await holder.query("BEGIN");
    await holder.query("LOCK TABLE payment_event IN SHARE MODE");
    let started: Promise<T> | undefined;
    try {
      started = start();
      started.catch(() => {}); // awaited below; only the wait may come first
      await waitFor(async () => (await pspState("sessions")) >= before + sessions);
    } finally {
      await holder.query("COMMIT");
      holder.release();
    }
    return started;
  }

  it("share one insert, each with its own orders, moves and PSP session; twins of a key get one", async () => {
    const inputs = Array.from({ length: 5 }, cart);
    // Twins of one key are both priced, and each opens a session: the key is not taken yet.
    const results = await whileInsertsWait(6, () =>
      Promise.all([...inputs, inputs[2]!].map((input) => createCheckout(h.db, buyer(), input))),
    );
    const ids = results.map((result) => result.checkoutId);
    expect(ids[5]).toBe(ids[2]);
    expect(new Set(ids).size).toBe(5);
    // The first stored alone, the four others in one statement (the twin that lost its key with them).
    expect(await writers(ids)).toBe(2);
    for (const checkoutId of ids.slice(0, 5)) {
      const stored = await h.db.paymentEvent.findUniqueOrThrow({
        where: { id: checkoutId },
        include: { orders: { include: { transitions: { orderBy: { id: "asc" } } } } },
      });
      expect(stored).toMatchObject({ status: "EXECUTING", totalAmount: 8_500n });
      expect(stored.pspSessionUrl).toContain("cs_");
      expect(stored.orders.map((order) => order.amount).sort()).toEqual([3_500n, 5_000n]);
      for (const order of stored.orders) {
        expect(order.transitions.map((move) => move.toStatus)).toEqual(["NOT_STARTED", "EXECUTING"]);
      }
    }
    expect(await h.db.paymentEvent.count({ where: { idempotencyKey: inputs[2]!.idempotencyKey } })).toBe(1);
  });

  it("fail only the caller whose checkout cannot be written", async () => {
    const first = cart();
    const outcomes = await Promise.allSettled([
      createCheckout(h.db, buyer(), first),
      // In the next batch: the key of the first with another cart, an unknown product, a buyer
      // the database does not know (its insert fails the batch's statement), and a good one.
      createCheckout(h.db, buyer(), { ...first, items: [{ productId: h.products[0]!.id, quantity: 1 }] }),
      createCheckout(h.db, buyer(), {
        idempotencyKey: randomUUID(),
        items: [{ productId: randomUUID(), quantity: 1 }],
      }),
      createCheckout(h.db, { id: randomUUID(), name: "Nobody" }, cart()),
      createCheckout(h.db, buyer(), cart()),
    ]);
    expect(outcomes.map((outcome) => outcome.status)).toEqual([
      "fulfilled",
      "rejected",
      "rejected",
      "rejected",
      "fulfilled",
    ]);
    expect(outcomes[1]).toMatchObject({ reason: { code: "CONFLICT" } });
    expect(outcomes[2]).toMatchObject({ reason: { code: "BAD_REQUEST" } });
    const good = (outcomes[4] as PromiseFulfilledResult<{ checkoutId: string }>).value.checkoutId;
    expect(await h.db.paymentOrder.count({ where: { paymentEventId: good } })).toBe(2);
  });

  it("stores a checkout once, with its PSP session, and leaves a session it never stored unpaid", async () => {
    const { checkoutId, paymentUrl } = await createCheckout(h.db, buyer(), cart());
    const stored = await h.db.paymentEvent.findUniqueOrThrow({ where: { id: checkoutId } });
    expect(stored).toMatchObject({ status: "EXECUTING", pspSessionUrl: paymentUrl });
    expect(stored.pspSessionId).toBe(sessionIdOfPageUrl(paymentUrl));
    // Written once: no later update of the row (its creation and last change are one instant).
    expect(stored.updatedAt).toEqual(stored.createdAt);
    // A session whose checkout call died before the insert (or lost its key to a twin): its
    // page reached no one, and its expiry changes nothing and leaves no work behind.
    const orphanId = randomUUID();
    const orphan = await createPspSession({
      id: orphanId,
      attempt: 1,
      currency: "usd",
      orders: [{ id: randomUUID(), items: [{ name: "Mug", unitPrice: "1200", quantity: 1 }] }],
    });
    await fetch(`${h.emulator.url}/v1/checkout/sessions/${orphan.sessionId}/expire`, {
      method: "POST",
      headers: { authorization: "Bearer sk_test_x" },
    });
    const expiry = async () =>
      (
        await h.sql.query(
          `SELECT processed_at FROM psp_webhook_event
            WHERE type = 'checkout.session.expired' AND payload->'data'->'object'->>'id' = $1`,
          [orphan.sessionId],
        )
      ).rows[0] as { processed_at: Date | null } | undefined;
    await waitFor(async () => (await expiry())?.processed_at != null);
    expect(await h.db.paymentEvent.count({ where: { id: orphanId } })).toBe(0);
  });

  it("counts checkouts whose session is still being opened towards the buyer's velocity", async () => {
    const recent = await h.db.paymentEvent.count({
      where: { buyerId: h.buyer.user.id, createdAt: { gte: new Date(Date.now() - 10 * 60_000) } },
    });
    process.env.RISK_VELOCITY_LIMIT = String(recent + 1);
    try {
      // The first checkout's session takes a while: it is priced but not stored when the second
      // is priced, in a batch of its own.
      await h.control("faults", { path: "^/v1/checkout/sessions$", kind: "delay", delayMs: 400 });
      const first = createCheckout(h.db, buyer(), cart());
      await waitFor(async () => (await pspState("pendingFaults")) === 0);
      const second = await createCheckout(h.db, buyer(), cart());
      const statusOf = async (checkoutId: string) =>
        (await h.db.paymentEvent.findUniqueOrThrow({ where: { id: checkoutId } })).status;
      expect(await statusOf((await first).checkoutId)).toBe("EXECUTING");
      expect(await statusOf(second.checkoutId)).toBe("IN_REVIEW");
    } finally {
      process.env.RISK_VELOCITY_LIMIT = "1000";
      await h.control("faults/clear");
    }
  });

  it("count a buyer's earlier checkouts in the same batch towards the velocity rule", async () => {
    const recent = await h.db.paymentEvent.count({
      where: { buyerId: h.buyer.user.id, createdAt: { gte: new Date(Date.now() - 10 * 60_000) } },
    });
    process.env.RISK_VELOCITY_LIMIT = String(recent + 2);
    try {
      const results = await Promise.all(
        Array.from({ length: 4 }, () => createCheckout(h.db, buyer(), cart())),
      );
      const statuses = await Promise.all(
        results.map(
          async ({ checkoutId }) =>
            (await h.db.paymentEvent.findUniqueOrThrow({ where: { id: checkoutId } })).status,
        ),
      );
      // recent, recent + 1 (alone, then first in the batch) pass; recent + 2 and + 3 do not.
      expect(statuses).toEqual(["EXECUTING", "EXECUTING", "IN_REVIEW", "IN_REVIEW"]);
      // The count stops at the limit: a buyer far above it (recent + 4 by now) is still caught.
      process.env.RISK_VELOCITY_LIMIT = "2";
      const { checkoutId } = await createCheckout(h.db, buyer(), cart());
      expect((await h.db.paymentEvent.findUniqueOrThrow({ where: { id: checkoutId } })).riskReasons).toEqual([
        "Unusually many checkouts by this buyer recently",
      ]);
    } finally {
      process.env.RISK_VELOCITY_LIMIT = "1000";
    }
  });
});

describe("successes recorded together", () => {
  const openCheckouts = (count: number) =>
    Promise.all(
      Array.from(
        { length: count },
        async () => (await (await h.buyerCaller()).payin.checkout(cart())).checkoutId,
      ),
    );
  const record = (checkoutId: string) =>
    recordPaymentSucceeded(h.db, checkoutId, {
      paymentIntentId: null,
      chargeId: null,
      actor: `test:${checkoutId}`,
    });
  const actorsOf = async (checkoutId: string) =>
    (
      await h.db.paymentOrderTransition.findMany({
        where: { paymentOrder: { paymentEventId: checkoutId }, toStatus: "SUCCESS" },
      })
    ).map((transition) => transition.actor);

  /** The database transactions that posted these checkouts (a row's xmin is its writer's). */
  const writers = async (checkoutIds: string[]) => {
    const { rows } = await h.sql.query(
      `SELECT DISTINCT t.xmin::text FROM ledger_transaction t JOIN payment_order o ON t.reference = o.id::text
        WHERE t.kind = 'payin' AND o.payment_event_id = ANY($1::uuid[])`,
      [checkoutIds],
    );
    return rows.length;
  };

  it("share one database transaction, each posted once and logged with its own actor", async () => {
    const [alone, ...batched] = await openCheckouts(5);
    // The first call is written at once; the calls made meanwhile wait and go in one batch.
    const calls = [alone!, ...batched, batched[0]!].map((checkoutId) => record(checkoutId));
    expect(await Promise.all(calls)).toEqual([true, true, true, true, true, false]);
    expect(await writers(batched)).toBe(1);
    for (const checkoutId of [alone!, ...batched]) {
      expect(await postings(checkoutId)).toBe(2);
      expect(await actorsOf(checkoutId)).toEqual([`test:${checkoutId}`, `test:${checkoutId}`]);
    }
    expect(await record(batched[1]!)).toBe(false);
    expect((await checkLedgerInvariants(h.db)).violations).toEqual([]);
  });

  it("fail only the caller whose checkout cannot be recorded", async () => {
    const [alone, good, other] = await openCheckouts(3);
    const outcomes = await Promise.allSettled([alone!, good!, randomUUID(), other!].map((id) => record(id)));
    expect(outcomes.map((outcome) => outcome.status)).toEqual([
      "fulfilled",
      "fulfilled",
      "rejected",
      "fulfilled",
    ]);
    expect(outcomes[2]).toMatchObject({ reason: expect.any(NotFoundError) });
    for (const checkoutId of [alone!, good!, other!]) expect(await postings(checkoutId)).toBe(2);
    expect((await checkLedgerInvariants(h.db)).violations).toEqual([]);
  });
});

describe("risk", () => {
  it("blocks a sanctioned buyer before any PSP call", async () => {
    const buyer = await h.buyerCaller();
    const { checkoutId } = await buyer.payin.checkout({ ...cart(), country: "KP" });
    const event = await h.db.paymentEvent.findUniqueOrThrow({
      where: { id: checkoutId },
      include: { orders: true },
    });
    expect(event.status).toBe("BLOCKED");
    expect(event.pspSessionId).toBeNull();
    expect(event.orders.every((order) => order.status === "FAILED")).toBe(true);
  });

  it("parks an unusual basket for review; finance approves and the buyer can pay", async () => {
    const buyer = await h.buyerCaller();
    const { checkoutId, paymentUrl } = await buyer.payin.checkout({
      idempotencyKey: randomUUID(),
      items: [{ productId: h.products[0]!.id, quantity: 30 }],
    });
    expect(paymentUrl).toBeNull(); // nothing to pay before finance decides
    expect((await status(checkoutId)).status).toBe("IN_REVIEW");
    const finance = await h.financeCaller();
    expect((await finance.payin.reviewQueue({ limit: 10 })).items.map((item) => item.id)).toContain(
      checkoutId,
    );
    await finance.payin.review({ checkoutId, decision: "APPROVE", note: "Known wholesale buyer" });
    const approved = await status(checkoutId);
    expect(approved.status).toBe("EXECUTING");
    expect(approved.pspSessionUrl).toBeTruthy();
    expect(await h.db.auditLog.count({ where: { action: "risk.approve", entityId: checkoutId } })).toBe(1);
  });
});

describe("refunds", () => {
  it("refunds partially then fully, never more than paid, and posts each once", async () => {
    const checkoutId = await paidCheckout();
    const order = await h.db.paymentOrder.findFirstOrThrow({
      where: { paymentEventId: checkoutId, amount: 5_000n },
    });
    const finance = await h.financeCaller();
    const key = randomUUID();
    await finance.payin.refund({
      paymentOrderId: order.id,
      amount: 1_000n,
      reason: "damaged",
      idempotencyKey: key,
    });
    await finance.payin.refund({
      paymentOrderId: order.id,
      amount: 1_000n,
      reason: "damaged",
      idempotencyKey: key,
    });
    await expect(
      finance.payin.refund({
        paymentOrderId: order.id,
        amount: 4_001n,
        reason: "too much",
        idempotencyKey: randomUUID(),
      }),
    ).rejects.toMatchObject({ code: "BAD_REQUEST" });
    await finance.payin.refund({
      paymentOrderId: order.id,
      amount: 4_000n,
      reason: "rest",
      idempotencyKey: randomUUID(),
    });
    await waitFor(
      async () =>
        (await h.db.refund.count({ where: { paymentOrderId: order.id, status: "SUCCEEDED" } })) === 2,
    );
    expect((await h.db.paymentOrder.findUniqueOrThrow({ where: { id: order.id } })).refundedAmount).toBe(
      5_000n,
    );
    // The buyer sees both refunds on the checkout, and the total refunded in their payments list
    // (finance's reasons stay internal).
    const seen = (await status(checkoutId)).orders.find((row) => row.id === order.id)!;
    expect(seen.refundedAmount).toBe(5_000n);
    expect(seen.refunds.map(({ amount, status }) => ({ amount, status }))).toEqual([
      { amount: 1_000n, status: "SUCCEEDED" },
      { amount: 4_000n, status: "SUCCEEDED" },
    ]);
    expect(seen.refunds[0]).not.toHaveProperty("reason");
    const listed = await (await h.buyerCaller()).payin.myCheckouts({ limit: 100 });
    expect(listed.items.find((row) => row.id === checkoutId)?.refundedAmount).toBe(5_000n);
    expect(await h.db.ledgerTransaction.count({ where: { kind: "refund" } })).toBeGreaterThanOrEqual(2);
    expect((await checkLedgerInvariants(h.db)).violations).toEqual([]);
  });

  it("asks for the password above the step-up threshold", async () => {
    process.env.REFUND_STEP_UP_AMOUNT = "100";
    const checkoutId = await paidCheckout();
    const order = await h.db.paymentOrder.findFirstOrThrow({ where: { paymentEventId: checkoutId } });
    const finance = await h.financeCaller();
    const input = { paymentOrderId: order.id, amount: 500n, reason: "step-up", idempotencyKey: randomUUID() };
    await expect(finance.payin.refund(input)).rejects.toMatchObject({ code: "FORBIDDEN" });
    await finance.payin.refund({ ...input, password: "correct horse battery staple" });
    process.env.REFUND_STEP_UP_AMOUNT = "50000";
  });

  it("reverses a refund the PSP fails after first accepting it, exactly once", async () => {
    const buyer = await h.buyerCaller();
    const { checkoutId } = await buyer.payin.checkout(cart());
    await h.pay(sessionIdOfPageUrl((await status(checkoutId)).pspSessionUrl), "4000000000005126");
    await waitFor(async () => (await status(checkoutId)).status === "SUCCEEDED");
    const order = await h.db.paymentOrder.findFirstOrThrow({ where: { paymentEventId: checkoutId } });
    const walletBefore = await h.db.wallet.findFirstOrThrow({ where: { sellerId: order.sellerId } });
    const finance = await h.financeCaller();
    const { refundId } = await finance.payin.refund({
      paymentOrderId: order.id,
      amount: 1_500n,
      reason: "buyer returned it",
      idempotencyKey: randomUUID(),
    });
    await waitFor(
      async () => (await h.db.refund.findUniqueOrThrow({ where: { id: refundId } })).status === "FAILED",
      20_000,
    );
    expect(
      await h.db.ledgerTransaction.count({ where: { kind: "refund.reversal", reference: refundId } }),
    ).toBe(1);
    expect((await h.db.paymentOrder.findUniqueOrThrow({ where: { id: order.id } })).refundedAmount).toBe(0n);
    expect((await h.db.wallet.findFirstOrThrow({ where: { sellerId: order.sellerId } })).pending).toBe(
      walletBefore.pending,
    );
    expect((await checkLedgerInvariants(h.db)).violations).toEqual([]);
  });

  it("refuses to refund an unpaid order", async () => {
    const buyer = await h.buyerCaller();
    const { checkoutId } = await buyer.payin.checkout(cart());
    const order = await h.db.paymentOrder.findFirstOrThrow({ where: { paymentEventId: checkoutId } });
    const finance = await h.financeCaller();
    await expect(
      finance.payin.refund({
        paymentOrderId: order.id,
        amount: 100n,
        reason: "not paid yet",
        idempotencyKey: randomUUID(),
      }),
    ).rejects.toMatchObject({ code: "PRECONDITION_FAILED" });
  });
});

describe("sellers", () => {
  const walletOf = (sellerId: string) => h.db.wallet.findFirstOrThrow({ where: { sellerId } });

  it("see only their own orders, ship them once, and cannot touch another seller's order", async () => {
    const checkoutId = await paidCheckout();
    const orders = await h.db.paymentOrder.findMany({ where: { paymentEventId: checkoutId } });
    const mine = orders.find((order) => order.sellerId === h.sellers[0]!.seller!.id)!;
    const theirs = orders.find((order) => order.sellerId === h.sellers[1]!.seller!.id)!;
    const seller = await h.sellerCaller(0);
    const listed = await seller.payin.sellerOrders({ limit: 100 });
    expect(listed.every((order) => order.sellerId === h.sellers[0]!.seller!.id)).toBe(true);
    await expect(seller.payin.sellerOrder({ paymentOrderId: theirs.id })).rejects.toMatchObject({
      code: "NOT_FOUND",
    });
    await expect(seller.payin.markShipped({ paymentOrderId: theirs.id })).rejects.toMatchObject({
      code: "NOT_FOUND",
    });
    const before = await walletOf(mine.sellerId);
    expect(await seller.payin.markShipped({ paymentOrderId: mine.id })).toBe(true);
    expect(await seller.payin.markShipped({ paymentOrderId: mine.id })).toBe(false);
    // On hold (7 days from shipping by default): nothing moves yet, and the seller is told when.
    expect((await walletOf(mine.sellerId)).available).toBe(before.available);
    const shown = await seller.payin.sellerOrder({ paymentOrderId: mine.id });
    expect(shown.availableAt!.getTime() - shown.shippedAt!.getTime()).toBe(7 * 86_400_000);
    expect(await releaseHeldOrders(h.db)).toBe(0);
    expect((await checkLedgerInvariants(h.db)).violations).toEqual([]);
  });

  it("get a shipped order's funds once its hold has passed, and never an unshipped one's", async () => {
    const checkoutId = await paidCheckout();
    const orders = await h.db.paymentOrder.findMany({ where: { paymentEventId: checkoutId } });
    const shipped = orders.find((order) => order.sellerId === h.sellers[0]!.seller!.id)!;
    const unshipped = orders.find((order) => order.sellerId === h.sellers[1]!.seller!.id)!;
    await (await h.sellerCaller(0)).payin.markShipped({ paymentOrderId: shipped.id });
    // Eight days on, for both: the paid but unshipped order stays pending however old it is.
    const eightDaysAgo = new Date(Date.now() - 8 * 86_400_000);
    await h.db.paymentOrder.update({ where: { id: shipped.id }, data: { shippedAt: eightDaysAgo } });
    await h.db.paymentOrder.update({
      where: { id: unshipped.id },
      data: { createdAt: eightDaysAgo, updatedAt: eightDaysAgo },
    });
    const before = await walletOf(shipped.sellerId);
    expect(await releaseHeldOrders(h.db)).toBe(1);
    expect(await releaseHeldOrders(h.db)).toBe(0);
    const after = await walletOf(shipped.sellerId);
    expect(after.available - before.available).toBe(shipped.amount - shipped.commission);
    expect(after.pending - before.pending).toBe(shipped.commission - shipped.amount);
    expect((await h.db.paymentOrder.findUniqueOrThrow({ where: { id: unshipped.id } })).releasedAt).toBe(
      null,
    );
    expect((await checkLedgerInvariants(h.db)).violations).toEqual([]);
  });

  it("with no hold, get the funds as they ship; an unpaid order cannot ship", async () => {
    process.env.PAYIN_HOLD_DAYS = "0";
    try {
      const checkoutId = await paidCheckout();
      const order = await h.db.paymentOrder.findFirstOrThrow({
        where: { paymentEventId: checkoutId, sellerId: h.sellers[0]!.seller!.id },
      });
      const seller = await h.sellerCaller(0);
      expect(await seller.payin.markShipped({ paymentOrderId: order.id })).toBe(true);
      expect((await h.db.paymentOrder.findUniqueOrThrow({ where: { id: order.id } })).releasedAt).not.toBe(
        null,
      );
      const open = await (await h.buyerCaller()).payin.checkout(cart());
      const unpaid = await h.db.paymentOrder.findFirstOrThrow({
        where: { paymentEventId: open.checkoutId, sellerId: h.sellers[0]!.seller!.id },
      });
      await expect(seller.payin.markShipped({ paymentOrderId: unpaid.id })).rejects.toMatchObject({
        code: "PRECONDITION_FAILED",
      });
    } finally {
      delete process.env.PAYIN_HOLD_DAYS;
    }
  });
});
