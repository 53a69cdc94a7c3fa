// Steps 1–2 of the money path for checkouts arriving together: one read of their products, the
// sellers' rates and the buyers' recent checkouts; the split and the risk check in memory; one
// statement storing every checkout with its orders and their transitions. Group-committed
// (server/db/group-commit.ts): under load many checkout calls share the round trips and the
// commit; a lone call runs at once.
import { randomUUID } from "node:crypto";
import { type Db, hotQuery, preparedStatement } from "@/server/db";
import { groupCommitPerDb, type Settled } from "@/server/db/group-commit";
import { assessRisk, type RiskConfig, riskConfigFromEnv } from "@/server/risk/rules";
import type { CheckoutInput } from "./schemas";
import { splitCart } from "./split";
import type { SessionCheckout } from "./start-psp-session";
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
  | { outcome: "created"; checkout: SessionCheckout }
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
// thousands of checkouts (a bot) costs no more to check than one with ten.
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
            FROM unnest($2::uuid[]) AS b(id)) AS "recentCheckouts"`,
);

// One statement, so one atomic write: each checkout (unless its key is taken: then none of it is
// written and its id does not come back), its orders in their state after the risk check, and
// each order's moves in the order they were made. A concurrent request with the same key waits
// on the unique index and then finds the key taken; of twins in one batch the first to arrive
// wins. Rows go in key order, so two batches in two processes take the key locks in one order.
// Named: its input is one jsonb document, whose row count no plan can see, so a generic plan is
// as good as a custom one.
const INSERT_BATCH = preparedStatement(
  "checkout_insert_batch",
  `WITH input AS (
     SELECT * FROM jsonb_to_recordset($1::jsonb) AS c(
       arrival int, id uuid, buyer_id uuid, idempotency_key text, request_hash text, currency text,
       total_amount bigint, status "PaymentEventStatus", risk_decision text, risk_reasons text[],
       failure_message text, order_status "PaymentOrderStatus", failure_reason text, orders jsonb,
       moves jsonb)
   ), event AS (
     INSERT INTO payment_event (id, buyer_id, idempotency_key, request_hash, currency, total_amount,
                                status, risk_decision, risk_reasons, failure_message)
     SELECT id, buyer_id, idempotency_key, request_hash, currency, total_amount, status,
            risk_decision, risk_reasons, failure_message
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

async function storeBatch(db: Db, requests: CheckoutRequest[]): Promise<Settled<StoredCheckout>[]> {
  const productIds = [
    ...new Set(requests.flatMap((request) => request.input.items.map((item) => item.productId))),
  ];
  const buyerIds = [...new Set(requests.map((request) => request.buyer.id))];
  const riskConfig = riskConfigFromEnv();
  const [read] = await hotQuery<{ products: ProductRow[]; recentCheckouts: Record<string, number> }>(
    db,
    READ_BATCH,
    `{${productIds.join(",")}}`, // UUIDs, validated by the schema
    `{${buyerIds.join(",")}}`,
    new Date(Date.now() - VELOCITY_WINDOW_MS).toISOString(), // an instant, whichever client sends it
    riskConfig.velocityLimit,
  );
  const products = new Map(read!.products.map((product) => [product.id, product]));
  // A buyer's earlier checkouts in this batch count towards their velocity too.
  const inBatch = new Map<string, number>();
  const prepared = requests.map((request) => {
    const earlier = inBatch.get(request.buyer.id) ?? 0;
    inBatch.set(request.buyer.id, earlier + 1);
    const recent = (read!.recentCheckouts[request.buyer.id] ?? 0) + earlier;
    return prepareCheckout(request, products, recent, riskConfig);
  });
  const rows = prepared.map((row, arrival) => row && { arrival, ...row }).filter((row) => row !== null);
  const inserted =
    rows.length === 0 ? [] : await hotQuery<{ id: string }>(db, INSERT_BATCH, JSON.stringify(rows));
  const created = new Set(inserted.map((row) => row.id));
  return prepared.map((row): Settled<StoredCheckout> => {
    if (!row) return { ok: true, value: { outcome: "unavailable" } };
    if (!created.has(row.id)) return { ok: true, value: { outcome: "key-taken" } };
    return {
      ok: true,
      value: {
        outcome: "created",
        checkout: {
          id: row.id,
          attempt: 1,
          status: row.status,
          currency: row.currency,
          pspSessionUrl: null,
          orders: row.orders.map((order) => ({ id: order.id, items: order.items })),
        },
      },
    };
  });
}

/** Stores one checkout, together with the others arriving at the same moment. */
export const storeCheckout = groupCommitPerDb(storeBatch, 64);
