// The read side behind the seller and finance consoles: filters, keyset pages, the volume chart,
// order detail with postings and webhooks, and IDOR (a seller never reads another's order).
import { randomUUID } from "node:crypto";
import { TRPCError } from "@trpc/server";
import { beforeAll, describe, expect, it } from "vitest";
import { sessionIdOfPageUrl } from "@/server/psp/emulator/hosted-page";
import { startPayinHarness } from "@/server/test/payin-harness";
import { waitFor } from "@/server/test/wait-for";
import { uuidPrefixRange } from "./queries";

process.env.PAYRAIL_RATE_LIMITS = "off";
process.env.RISK_VELOCITY_LIMIT = "1000";
const h = await startPayinHarness();

/** A checkout of both sellers' products (2 × $25.00 + 1 × $35.00), paid or left open. */
async function checkout(pay: boolean) {
  const buyer = await h.buyerCaller();
  const { checkoutId } = await buyer.payin.checkout({
    idempotencyKey: randomUUID(),
    items: [
      { productId: h.products[0]!.id, quantity: 2 },
      { productId: h.products[1]!.id, quantity: 1 },
    ],
  });
  const started = await buyer.payin.checkoutStatus({ checkoutId });
  if (pay) {
    await h.pay(sessionIdOfPageUrl(started.pspSessionUrl));
    await waitFor(
      async () =>
        (await h.db.paymentEvent.findUniqueOrThrow({ where: { id: checkoutId } })).status === "SUCCEEDED",
    );
  }
  return checkoutId;
}

const ordersOf = (checkoutId: string) =>
  h.db.paymentOrder.findMany({ where: { paymentEventId: checkoutId }, orderBy: { sellerId: "asc" } });
const mineOf = async (checkoutId: string, seller = 0) =>
  (await ordersOf(checkoutId)).find((order) => order.sellerId === h.sellers[seller]!.seller!.id)!;

async function codeOf(promise: Promise<unknown>) {
  try {
    await promise;
    return "OK";
  } catch (error) {
    return error instanceof TRPCError ? error.code : String(error);
  }
}

// The old checkout is moved 120 days back: outside the chart's window, inside a date filter.
const oldDay = new Date(Date.now() - 120 * 86_400_000).toISOString().slice(0, 10);
const dayAfter = (day: string, days: number) =>
  new Date(Date.parse(`${day}T00:00:00Z`) + days * 86_400_000).toISOString().slice(0, 10);
let old: string; // paid, 120 days ago
let paid: string; // paid today
let open: string; // awaiting payment

beforeAll(async () => {
  old = await checkout(true);
  paid = await checkout(true);
  open = await checkout(false);
  const then = new Date(`${oldDay}T12:00:00Z`);
  await h.db.paymentEvent.update({ where: { id: old }, data: { createdAt: then } });
  await h.db.paymentOrder.updateMany({ where: { paymentEventId: old }, data: { createdAt: then } });
}, 60_000);

describe("uuidPrefixRange", () => {
  it("turns the short id the tables show into a primary-key range", () => {
    expect(uuidPrefixRange("1a295295")).toEqual({
      gte: "1a295295-0000-0000-0000-000000000000",
      lte: "1a295295-ffff-ffff-ffff-ffffffffffff",
    });
    expect(uuidPrefixRange("1a29")).toBeNull(); // too short to be useful
    expect(uuidPrefixRange("zz295295")).toBeNull();
  });
});

describe("seller order search", () => {
  it("lists only the caller's orders, filtered by status, date and id", async () => {
    const seller = await h.sellerCaller(0);
    const sellerId = h.sellers[0]!.seller!.id;
    const all = await seller.payin.sellerOrderSearch({ limit: 100 });
    expect(all.items).toHaveLength(3);
    expect(all.items.every((order) => order.sellerId === sellerId)).toBe(true);
    expect(all.nextCursor).toBeUndefined();

    const succeeded = await seller.payin.sellerOrderSearch({ status: "SUCCESS", limit: 100 });
    expect(succeeded.items).toHaveLength(2);
    const executing = await seller.payin.sellerOrderSearch({ status: "EXECUTING", limit: 100 });
    expect(executing.items.map((order) => order.id)).toEqual([(await mineOf(open)).id]);

    const january = await seller.payin.sellerOrderSearch({ from: oldDay, to: oldDay, limit: 100 });
    expect(january.items.map((order) => order.id)).toEqual([(await mineOf(old)).id]);
    const afterJanuary = await seller.payin.sellerOrderSearch({ from: dayAfter(oldDay, 1), limit: 100 });
    expect(afterJanuary.items).toHaveLength(2);

    const target = await mineOf(paid);
    const byPrefix = await seller.payin.sellerOrderSearch({ orderId: target.id.slice(0, 8), limit: 100 });
    expect(byPrefix.items.map((order) => order.id)).toEqual([target.id]);
    const byId = await seller.payin.sellerOrderSearch({ orderId: target.id.toUpperCase(), limit: 100 });
    expect(byId.items.map((order) => order.id)).toEqual([target.id]);
  });

  it("pages with a keyset cursor: every order once, newest first", async () => {
    const seller = await h.sellerCaller(0);
    const seen: string[] = [];
    let cursor: string | undefined;
    do {
      const page = await seller.payin.sellerOrderSearch({ limit: 1, cursor });
      expect(page.items.length).toBeLessThanOrEqual(1);
      seen.push(...page.items.map((order) => order.id));
      cursor = page.nextCursor;
    } while (cursor);
    const all = await seller.payin.sellerOrderSearch({ limit: 100 });
    expect(seen).toEqual(all.items.map((order) => order.id));
    expect(seen.at(-1)).toBe((await mineOf(old)).id);
  });

  it("never shows, finds or pages by another seller's order (IDOR)", async () => {
    const seller = await h.sellerCaller(0);
    const theirs = await mineOf(paid, 1);
    const search = await seller.payin.sellerOrderSearch({ orderId: theirs.id, limit: 100 });
    expect(search.items).toEqual([]);
    expect(await codeOf(seller.payin.sellerOrder({ paymentOrderId: theirs.id }))).toBe("NOT_FOUND");
    // Their order id as a cursor is unknown here, not a way to probe their timestamps.
    expect(await codeOf(seller.payin.sellerOrderSearch({ cursor: theirs.id, limit: 10 }))).toBe(
      "BAD_REQUEST",
    );
    // The seller id is never an input: an extra field is ignored, the session decides.
    const sneaky = await seller.payin.sellerOrderSearch({
      limit: 100,
      sellerId: h.sellers[1]!.seller!.id,
    } as never);
    expect(sneaky.items.every((order) => order.sellerId === h.sellers[0]!.seller!.id)).toBe(true);
  });

  it("refuses nonsense ranges with a message on the field", async () => {
    const seller = await h.sellerCaller(0);
    await expect(
      seller.payin.sellerOrderSearch({ from: "2026-02-01", to: "2026-01-01", limit: 10 }),
    ).rejects.toMatchObject({ code: "BAD_REQUEST", message: expect.stringContaining("end date is before") });
    await expect(seller.payin.sellerOrderSearch({ from: "yesterday", limit: 10 })).rejects.toMatchObject({
      code: "BAD_REQUEST",
    });
  });
});

describe("seller order detail", () => {
  it("shows the timeline without buyer ids, and the ledger postings", async () => {
    const seller = await h.sellerCaller(0);
    const order = await mineOf(paid);
    const detail = await seller.payin.sellerOrder({ paymentOrderId: order.id });
    expect(detail.transitions.map((transition) => transition.toStatus)).toEqual([
      "NOT_STARTED",
      "EXECUTING",
      "SUCCESS",
    ]);
    expect(detail.transitions.every((transition) => !/[0-9a-f]{8}-[0-9a-f]{4}/.test(transition.actor))).toBe(
      true,
    );
    expect(detail.postings.map((posting) => posting.kind)).toEqual(["payin"]);
    const entries = detail.postings[0]!.entries;
    const debits = entries.filter((entry) => entry.direction === "DEBIT").reduce((s, e) => s + e.amount, 0n);
    const credits = entries
      .filter((entry) => entry.direction === "CREDIT")
      .reduce((s, e) => s + e.amount, 0n);
    expect(debits).toBe(order.amount);
    expect(credits).toBe(order.amount);
    expect(entries.map((entry) => entry.account)).toContain(`seller_pending:${order.sellerId}`);
    expect("buyerEmail" in detail).toBe(false);
    expect("webhookEvents" in detail).toBe(false);

    process.env.PAYIN_HOLD_DAYS = "0"; // released as it ships
    await seller.payin.markShipped({ paymentOrderId: order.id });
    delete process.env.PAYIN_HOLD_DAYS;
    const released = await seller.payin.sellerOrder({ paymentOrderId: order.id });
    expect(released.postings.map((posting) => posting.kind)).toEqual(["payin", "release"]);
  });
});

describe("finance payment search", () => {
  it("filters by buyer, seller, status, amount, date and ids", async () => {
    const finance = await h.financeCaller();
    const ids = async (input: Parameters<typeof finance.payin.search>[0]) =>
      (await finance.payin.search({ limit: 100, ...input })).items.map((item) => item.id).sort();
    const everything = [old, paid, open].sort();

    expect(await ids({})).toEqual(everything);
    expect(await ids({ buyer: h.buyer.user.email.toUpperCase() })).toEqual(everything);
    expect(await ids({ buyer: "nobody@payrail.test" })).toEqual([]);
    expect(await ids({ seller: h.sellers[1]!.seller!.id })).toEqual(everything);
    const sellerName = (await h.db.seller.findUniqueOrThrow({ where: { id: h.sellers[0]!.seller!.id } }))
      .name;
    expect(await ids({ seller: sellerName.slice(1, -1).toLowerCase() })).toEqual(everything);
    expect(await ids({ seller: "no such seller at all" })).toEqual([]);
    // Matched as typed: LIKE's wildcards match only themselves.
    expect(await ids({ seller: "%" })).toEqual([]);
    expect(await ids({ seller: sellerName.replace(" ", "_") })).toEqual([]);
    expect(await ids({ status: "SUCCEEDED" })).toEqual([old, paid].sort());
    expect(await ids({ status: "EXECUTING" })).toEqual([open]);
    expect(await ids({ minAmount: 8_500n, maxAmount: 8_500n })).toEqual(everything);
    expect(await ids({ minAmount: 8_501n })).toEqual([]);
    expect(await ids({ maxAmount: 8_499n })).toEqual([]);
    expect(await ids({ from: oldDay, to: oldDay })).toEqual([old]);
    expect(await ids({ to: dayAfter(oldDay, -1) })).toEqual([]);

    const event = await h.db.paymentEvent.findUniqueOrThrow({ where: { id: paid } });
    expect(await ids({ query: event.pspPaymentIntentId! })).toEqual([paid]);
    expect(await ids({ query: event.pspChargeId! })).toEqual([paid]);
    expect(await ids({ query: event.pspSessionId! })).toEqual([paid]);
    const order = await mineOf(paid);
    expect(await ids({ query: order.id })).toEqual([paid]);
    expect(await ids({ query: order.id.slice(0, 8) })).toEqual([paid]);
    expect(await ids({ query: paid.slice(0, 8) })).toEqual([paid]);
    // Filters combine (AND).
    expect(await ids({ status: "SUCCEEDED", from: dayAfter(oldDay, 1), buyer: h.buyer.user.email })).toEqual([
      paid,
    ]);
  });

  it("pages with a keyset cursor under a filter", async () => {
    const finance = await h.financeCaller();
    const seen: string[] = [];
    let cursor: string | undefined;
    do {
      const page = await finance.payin.search({ status: "SUCCEEDED", limit: 1, cursor });
      seen.push(...page.items.map((item) => item.id));
      cursor = page.nextCursor;
    } while (cursor);
    expect(seen).toEqual([paid, old]);
  });

  it("answers bad filters with BAD_REQUEST and a field message", async () => {
    const finance = await h.financeCaller();
    await expect(finance.payin.search({ minAmount: 10n, maxAmount: 5n, limit: 10 })).rejects.toMatchObject({
      code: "BAD_REQUEST",
      message: expect.stringContaining("maximum is below the minimum"),
    });
    await expect(finance.payin.search({ minAmount: -1n, limit: 10 })).rejects.toMatchObject({
      code: "BAD_REQUEST",
    });
    await expect(finance.payin.search({ cursor: randomUUID(), limit: 10 })).rejects.toMatchObject({
      code: "BAD_REQUEST",
    });
  });
});

describe("finance volume chart", () => {
  it("sums succeeded payments per UTC day, zero-filled", async () => {
    const finance = await h.financeCaller();
    const volume = await finance.payin.volume({ days: 30 });
    expect(volume.days).toHaveLength(30);
    const today = new Date().toISOString().slice(0, 10);
    expect(volume.days.at(-1)).toEqual({ day: today, count: 1, amount: 8_500n });
    // The old payment is outside the window; the open one has not succeeded.
    expect(volume.totalCount).toBe(1);
    expect(volume.totalAmount).toBe(8_500n);
    expect(volume.days.filter((day) => day.count === 0)).toHaveLength(29);
  });
});

describe("finance order detail", () => {
  it("shows PSP objects, postings and the webhook events received for the payment", async () => {
    const finance = await h.financeCaller();
    const order = await mineOf(paid, 1);
    const event = await h.db.paymentEvent.findUniqueOrThrow({ where: { id: paid } });
    await waitFor(async () => (await h.db.pspWebhookEvent.count({ where: { processedAt: null } })) === 0);
    const detail = await finance.payin.order({ paymentOrderId: order.id });
    expect(detail.paymentEvent).toMatchObject({
      pspSessionId: event.pspSessionId,
      pspPaymentIntentId: event.pspPaymentIntentId,
      pspChargeId: event.pspChargeId,
    });
    expect(detail.buyerEmail).toBe(h.buyer.user.email);
    expect(detail.postings.map((posting) => posting.kind)).toEqual(["payin"]);
    const types = detail.webhookEvents.map((webhook) => webhook.type);
    expect(types).toContain("payment_intent.succeeded");
    // The endpoint subscribes only to the events Payrail acts on: no charge.succeeded and such.
    expect(types).not.toContain("checkout.session.completed");
    expect(types).not.toContain("charge.succeeded");
    // Only this payment's events: the other paid checkout's never show here.
    const other = await h.db.paymentEvent.findUniqueOrThrow({ where: { id: old } });
    expect(other.pspPaymentIntentId).not.toBeNull();
    expect(detail.webhookEvents.map((webhook) => webhook.objectId)).not.toContain(other.pspPaymentIntentId);
    expect(detail.webhookEvents.map((webhook) => webhook.objectId)).toContain(event.pspPaymentIntentId);
  });
});

describe("query plans", () => {
  // Tiny test tables favour sequential scans; with them off, the plan shows whether the console
  // indexes can serve these shapes at all (the expression index only matches verbatim).
  it("can use the console indexes", async () => {
    const client = await h.sql.connect();
    const plan = async (text: string, params: unknown[] = []) =>
      (await client.query(`EXPLAIN ${text}`, params)).rows.map((row) => row["QUERY PLAN"]).join("\n");
    try {
      await client.query("SET enable_seqscan = off");
      expect(
        await plan(
          `SELECT id FROM psp_webhook_event
            WHERE coalesce(payload #>> '{data,object,metadata,payment_event_id}',
                           payload #>> '{data,object,metadata,refund_id}') = ANY($1::text[])`,
          [[paid]],
        ),
      ).toContain("psp_webhook_event_reference_idx");
      // On a tiny table the older (status, updated_at) index looks as cheap; without it (rolled back
      // below) the volume query must be served by the new one, index-only with INCLUDE.
      await client.query("BEGIN");
      await client.query("DROP INDEX payment_event_status_updated_at_idx");
      expect(
        await plan(
          `SELECT sum(total_amount) FROM payment_event
            WHERE status = 'SUCCEEDED' AND created_at >= now() - interval '30 days' AND currency = 'usd'`,
        ),
      ).toMatch(/Index Only Scan using payment_event_status_created_at_idx/);
      await client.query("ROLLBACK");
      expect(await plan(`SELECT id FROM payment_event ORDER BY created_at DESC, id DESC LIMIT 26`)).toContain(
        "payment_event_created_at_id_idx",
      );
      expect(
        await plan(
          `SELECT id FROM payment_order WHERE seller_id = $1 AND status = 'FAILED' ORDER BY created_at DESC LIMIT 26`,
          [h.sellers[0]!.seller!.id],
        ),
      ).toContain("payment_order_seller_id_status_created_at_idx");
      // The release job reads only shipped, unreleased paid orders (the partial index), not every
      // order released before; the statement as `releaseHeldOrders` sends it.
      expect(
        await plan(
          `SELECT id::text FROM payment_order
            WHERE status = 'SUCCESS' AND released_at IS NULL AND shipped_at IS NOT NULL
              AND shipped_at <= $1 ORDER BY shipped_at LIMIT $2`,
          [new Date(), 500],
        ),
      ).toContain("payment_order_release_due_idx");
    } finally {
      await client.query("ROLLBACK").catch(() => undefined);
      await client.query("RESET enable_seqscan");
      client.release();
    }
  });
});
