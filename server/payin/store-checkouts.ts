// Steps 1–3 of the money path for checkouts arriving together: one read of their products, the
// sellers' rates, the buyers' recent checkouts and the keys already used; the split and the risk
// check in memory; the PSP session of each checkout the risk check lets pay; one statement storing
// every checkout with its orders, their transitions and its session. The read and the insert are
// group-committed (server/db/group-commit.ts): under load many checkout calls share the round
// trips and the commit; a lone call runs at once.
//
// The session is opened before the checkout is stored so that the checkout is written once, with
// it, rather than inserted and then updated (the update was a sixth of PostgreSQL's work per paid
// checkout: docs/benchmarks.md). Nothing can be charged on a session whose checkout was never
// stored (a crash in between, a twin request that lost its key): its page is only ever given to
// the buyer in the answer, after the insert commits. It expires unpaid at the PSP.
import { randomUUID } from "node:crypto";
import { type Db, hotQuery, preparedStatement } from "@/server/db";
import { groupCommitPerDb, type Settled } from "@/server/db/group-commit";
import { assessRisk, type RiskConfig, riskConfigFromEnv } from "@/server/risk/rules";
import { crashPoint } from "@/server/runtime/crash-points";
import type { CheckoutInput } from "./schemas";
import { splitCart } from "./split";
import { createPspSession, type OpenedSession } from "./start-psp-session";
import { movesFromBirth } from "./state-machine";

const VELOCITY_WINDOW_MS = 10 * 60_000;

// Where the risk decision leaves a new checkout and its orders: paying, parked for finance's
// review (orders not started), or refused (orders failed).
const CHECKOUT_STATUS = { ALLOW: "EXECUTING", REVIEW: "IN_REVIEW", BLOCK: "BLOCKED" } as const;
const ORDER_STATUS = { ALLOW: "EXECUTING", REVIEW: "NOT_STARTED", BLOCK: "FAILED" } as const;

export interface Buyer {
  id: string;
  name: string;
}

export interface CheckoutRequest {
  buyer: Buyer;
  input: CheckoutInput;
  /** sha256 of the normalized cart, to tell a replay of the key from another cart under it */
  hash: string;
}

export type StoredCheckout =
  /** `paymentUrl` is null unless the checkout may be paid now and the PSP opened its session */
  | { outcome: "created"; checkoutId: string; paymentUrl: string | null }
  /** the buyer's idempotency key already names a checkout (a replay, or a concurrent twin) */
  | { outcome: "key-taken" }
  /** a product is unknown or inactive, or the cart mixes currencies */
  | { outcome: "unavailable" };

interface ProductRow {
  id: string;
  name: string;
  sellerId: string;
  price: string;
  currency: string;
  commissionBps: number;
}

// Never cached: a price or an `active` flag changed a second ago must count. Prices come back
// as text, so they reach BigInt exactly. A buyer's recent checkouts are counted up to the
// velocity limit only ($4): the rule asks whether the limit is reached, and a buyer with
// thousands of checkouts (a bot) costs no more to check than one with ten. The keys already used
// ($5, $6; a replay) need no session: the insert would find them taken.
const READ_BATCH = preparedStatement(
  "checkout_read_batch",
  `SELECT (SELECT coalesce(json_agg(json_build_object(
                   'id', p.id, 'name', p.name, 'sellerId', p.seller_id, 'price', p.price::text,
                   'currency', trim(p.currency), 'commissionBps', s.commission_bps)), '[]')
            FROM product p JOIN seller s ON s.id = p.seller_id
           WHERE p.id = ANY ($1::uuid[]) AND p.active) AS products,
         (SELECT coalesce(json_object_agg(b.id, (SELECT count(*) FROM (
                                                    SELECT FROM payment_event e
                                                     WHERE e.buyer_id = b.id AND e.created_at >= $3::timestamptz
                                                     LIMIT $4) recent)), '{}')
            FROM unnest($2::uuid[]) AS b(id)) AS "recentCheckouts",
         (SELECT coalesce(json_agg(e.buyer_id || ' ' || e.idempotency_key), '[]')
            FROM unnest($5::uuid[], $6::text[]) AS k(buyer_id, idempotency_key)
            JOIN payment_event e USING (buyer_id, idempotency_key)) AS "takenKeys"`,
);

// One statement, so one atomic write: each checkout with its PSP session if it has one (unless
// its key is taken: then none of it is written and its id does not come back), its orders in
// their state after the risk check, and each order's moves in the order they were made. A
// concurrent request with the same key waits on the unique index and then finds the key taken;
// of twins in one batch the first to arrive wins. Rows go in key order, so two batches in two
// processes take the key locks in one order.
// Named: its input is one jsonb document, whose row count no plan can see, so a generic plan is
// as good as a custom one.
const INSERT_BATCH = preparedStatement(
  "checkout_insert_batch",
  `WITH input AS (
     SELECT * FROM jsonb_to_recordset($1::jsonb) AS c(
       arrival int, id uuid, buyer_id uuid, idempotency_key text, request_hash text, currency text,
       total_amount bigint, status "PaymentEventStatus", risk_decision text, risk_reasons text[],
       failure_message text, order_status "PaymentOrderStatus", failure_reason text, orders jsonb,
       moves jsonb, psp_session_id text, psp_session_url text)
   ), event AS (
     INSERT INTO payment_event (id, buyer_id, idempotency_key, request_hash, currency, total_amount,
                                status, risk_decision, risk_reasons, failure_message, psp_session_id,
                                psp_session_url)
     SELECT id, buyer_id, idempotency_key, request_hash, currency, total_amount, status,
            risk_decision, risk_reasons, failure_message, psp_session_id, psp_session_url
       FROM input ORDER BY buyer_id, idempotency_key, arrival
     ON CONFLICT (buyer_id, idempotency_key) DO NOTHING
     RETURNING id
   ), orders AS (
     INSERT INTO payment_order (id, payment_event_id, seller_id, amount, commission, currency, items,
                                status, failure_reason)
     SELECT o.id, input.id, o.seller_id, o.amount, o.commission, input.currency, o.items,
            input.order_status, input.failure_reason
       FROM input JOIN event ON event.id = input.id,
            jsonb_to_recordset(input.orders)
              AS o(id uuid, seller_id uuid, amount bigint, commission bigint, items jsonb)
      ORDER BY o.id
     RETURNING id, payment_event_id
   ), moves AS (
     INSERT INTO payment_order_transition (payment_order_id, from_status, to_status, actor, reason)
     SELECT orders.id, m.from_status, m.to_status, m.actor, m.reason
       FROM orders JOIN input ON input.id = orders.payment_event_id,
            jsonb_to_recordset(input.moves) AS m(step int, from_status "PaymentOrderStatus",
                                                 to_status "PaymentOrderStatus", actor text, reason text)
      ORDER BY orders.payment_event_id, m.step, orders.id
   )
   SELECT id::text FROM event`,
);

/** A checkout ready to store: priced, split per seller and risk-checked. */
function prepareCheckout(
  request: CheckoutRequest,
  products: Map<string, ProductRow>,
  recentCheckouts: number,
  riskConfig: RiskConfig,
) {
  const { buyer, input } = request;
  const lines = input.items.map((item) => {
    const product = products.get(item.productId);
    return (
      product && {
        productId: product.id,
        name: product.name,
        sellerId: product.sellerId,
        unitPrice: BigInt(product.price),
        quantity: item.quantity,
      }
    );
  });
  const currencies = new Set(input.items.map((item) => products.get(item.productId)?.currency));
  if (lines.some((line) => !line) || currencies.size !== 1) return null;
  const cart = lines.filter((line) => line !== undefined);
  const currency = products.get(cart[0]!.productId)!.currency;
  const rates = new Map(cart.map((line) => [line.sellerId, products.get(line.productId)!.commissionBps]));
  const orders = splitCart(cart, rates).map((order) => ({ ...order, id: randomUUID() }));
  const totalAmount = orders.reduce((sum, order) => sum + order.amount, 0n);
  const risk = assessRisk(
    {
      buyerName: buyer.name,
      buyerCountry: input.country ?? null,
      totalAmount,
      recentCheckouts,
      items: cart,
    },
    riskConfig,
  );
  const status = CHECKOUT_STATUS[risk.decision];
  const orderStatus = ORDER_STATUS[risk.decision];
  const reason = risk.reasons.join("; ") || "risk check passed";
  return {
    id: randomUUID(),
    buyer_id: buyer.id,
    idempotency_key: input.idempotencyKey,
    request_hash: request.hash,
    currency,
    total_amount: totalAmount.toString(),
    status,
    risk_decision: risk.decision,
    risk_reasons: risk.reasons,
    failure_message: status === "BLOCKED" ? "This payment cannot be accepted." : null,
    order_status: orderStatus,
    failure_reason: orderStatus === "FAILED" ? reason : null,
    orders: orders.map((order) => ({
      id: order.id,
      seller_id: order.sellerId,
      amount: order.amount.toString(),
      commission: order.commission.toString(),
      items: order.items,
    })),
    moves: movesFromBirth(orderStatus).map((move, step) => ({
      step,
      from_status: move.from,
      to_status: move.to,
      actor: move.from === null ? `buyer:${buyer.id}` : "risk",
      reason: move.from === null ? "checkout" : reason,
    })),
  };
}

type PreparedCheckout = NonNullable<ReturnType<typeof prepareCheckout>>;

type Priced = { outcome: "priced"; checkout: PreparedCheckout } | { outcome: "key-taken" | "unavailable" };

/**
 * Checkouts priced but not stored yet, per buyer and database client: their sessions are being
 * opened. They count towards the buyer's velocity like stored ones, so a burst spread over several
 * batches cannot slip past the rule while the first batches wait for the PSP.
 */
const unstoredByDb = new WeakMap<Db, Map<string, number>>();

function unstoredOf(db: Db): Map<string, number> {
  let unstored = unstoredByDb.get(db);
  if (!unstored) {
    unstored = new Map();
    unstoredByDb.set(db, unstored);
  }
  return unstored;
}

function countUnstored(db: Db, buyerId: string, change: 1 | -1) {
  const unstored = unstoredOf(db);
  const count = (unstored.get(buyerId) ?? 0) + change;
  if (count > 0) unstored.set(buyerId, count);
  else unstored.delete(buyerId);
}

async function priceBatch(db: Db, requests: CheckoutRequest[]): Promise<Settled<Priced>[]> {
  const productIds = [
    ...new Set(requests.flatMap((request) => request.input.items.map((item) => item.productId))),
  ];
  const buyerIds = [...new Set(requests.map((request) => request.buyer.id))];
  const riskConfig = riskConfigFromEnv();
  // Taken before the read: a checkout stored after the read's snapshot is still unstored here, so
  // it is counted (twice at worst, if it was stored before the snapshot: stricter, never looser).
  const unstored = unstoredOf(db);
  const unstoredAtRead = new Map(buyerIds.map((id) => [id, unstored.get(id) ?? 0]));
  const [read] = await hotQuery<{
    products: ProductRow[];
    recentCheckouts: Record<string, number>;
    takenKeys: string[];
  }>(
    db,
    READ_BATCH,
    `{${productIds.join(",")}}`, // UUIDs, validated by the schema
    `{${buyerIds.join(",")}}`,
    new Date(Date.now() - VELOCITY_WINDOW_MS).toISOString(), // an instant, whichever client sends it
    riskConfig.velocityLimit,
    requests.map((request) => request.buyer.id),
    requests.map((request) => request.input.idempotencyKey),
  );
  const products = new Map(read!.products.map((product) => [product.id, product]));
  const taken = new Set(read!.takenKeys);
  // A buyer's earlier checkouts in this batch count towards their velocity too.
  const inBatch = new Map<string, number>();
  return requests.map((request): Settled<Priced> => {
    const buyerId = request.buyer.id;
    if (taken.has(`${buyerId} ${request.input.idempotencyKey}`))
      return { ok: true, value: { outcome: "key-taken" } };
    const earlier = inBatch.get(buyerId) ?? 0;
    const recent = (read!.recentCheckouts[buyerId] ?? 0) + unstoredAtRead.get(buyerId)! + earlier;
    const checkout = prepareCheckout(request, products, recent, riskConfig);
    if (!checkout) return { ok: true, value: { outcome: "unavailable" } };
    inBatch.set(buyerId, earlier + 1);
    // Counted by later batches from here until `storeCheckout` has stored it.
    countUnstored(db, buyerId, 1);
    return { ok: true, value: { outcome: "priced", checkout } };
  });
}

const priceCheckout = groupCommitPerDb(priceBatch, 64);

type CheckoutRow = PreparedCheckout & { psp_session_id: string | null; psp_session_url: string | null };

/** Stores the checkouts in one statement; each one's outcome is whether its key was free. */
async function insertBatch(db: Db, checkouts: CheckoutRow[]): Promise<Settled<boolean>[]> {
  const rows = checkouts.map((checkout, arrival) => ({ arrival, ...checkout }));
  const inserted = await hotQuery<{ id: string }>(db, INSERT_BATCH, JSON.stringify(rows));
  const created = new Set(inserted.map((row) => row.id));
  return checkouts.map((checkout) => ({ ok: true, value: created.has(checkout.id) }));
}

const insertCheckout = groupCommitPerDb(insertBatch, 64);

/**
 * Prices and risk-checks a checkout, opens its PSP session if it may be paid, and stores it with
 * its orders and session, together with the others arriving at the same moment. If the PSP
 * fails (timeout, outage), the checkout is stored without a session; the recovery job opens it.
 */
export async function storeCheckout(db: Db, request: CheckoutRequest): Promise<StoredCheckout> {
  const priced = await priceCheckout(db, request);
  if (priced.outcome !== "priced") return priced;
  const { checkout } = priced;
  try {
    let session: OpenedSession | null = null;
    if (checkout.status === "EXECUTING") {
      session = await createPspSession({
        id: checkout.id,
        attempt: 1,
        currency: checkout.currency,
        orders: checkout.orders,
      }).catch(() => null);
      crashPoint("payin.session-opened-before-checkout-stored");
    }
    const stored = await insertCheckout(db, {
      ...checkout,
      psp_session_id: session?.sessionId ?? null,
      psp_session_url: session?.url ?? null,
    });
    if (!stored) return { outcome: "key-taken" };
    return { outcome: "created", checkoutId: checkout.id, paymentUrl: session?.url ?? null };
  } finally {
    countUnstored(db, request.buyer.id, -1);
  }
}
