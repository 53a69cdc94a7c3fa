// Step 1–3 of the money path: store the checkout and its orders, run the risk check, and start
// the PSP session. Idempotent on (buyer, idempotency key).
import { createHash, randomUUID } from "node:crypto";
import { type Db, preparedStatement } from "@/server/db";
import { IdempotencyConflictError } from "@/server/errors";
import { assessRisk, riskConfigFromEnv } from "@/server/risk/rules";
import { ProductUnavailableError } from "./errors";
import type { CheckoutInput } from "./schemas";
import { splitCart } from "./split";
import { openPspSession } from "./start-psp-session";
import { movesFromBirth } from "./state-machine";

const VELOCITY_WINDOW_MS = 10 * 60_000;

export interface Buyer {
  id: string;
  name: string;
}

function requestHash(input: CheckoutInput): string {
  const items = [...input.items]
    .map((item) => `${item.productId}x${item.quantity}`)
    .sort()
    .join(",");
  return createHash("sha256")
    .update(`${items}|${input.country?.toUpperCase() ?? ""}`)
    .digest("hex");
}

/** The checkout already stored under this key, or null; another cart under it is a conflict. */
async function existingCheckout(db: Db, buyerId: string, input: CheckoutInput, hash: string) {
  const found = await db.paymentEvent.findUnique({
    where: { buyerId_idempotencyKey: { buyerId, idempotencyKey: input.idempotencyKey } },
    select: { id: true, requestHash: true },
  });
  if (found && found.requestHash !== hash) throw new IdempotencyConflictError();
  return found?.id ?? null;
}

interface ProductRow {
  id: string;
  name: string;
  sellerId: string;
  price: bigint;
  currency: string;
  commissionBps: number;
  recentCheckouts: number;
}

// The checkout call's two statements run on every checkout: prepared once per connection
// (parsing and planning them cost a third of their time). Their plans are all index lookups and
// inserts, so a generic plan is as good as a custom one.
const READ_PRODUCTS = preparedStatement(
  "checkout_read_products",
  `SELECT p.id, p.name, p.seller_id AS "sellerId", p.price, trim(p.currency) AS currency,
          s.commission_bps AS "commissionBps",
          (SELECT count(*) FROM payment_event
            WHERE buyer_id = $2::uuid AND created_at >= $3::timestamptz)::int AS "recentCheckouts"
     FROM product p JOIN seller s ON s.id = p.seller_id
    WHERE p.id = ANY ($1::uuid[]) AND p.active`,
);

const INSERT_CHECKOUT = preparedStatement(
  "checkout_insert",
  `WITH event AS (
     INSERT INTO payment_event (id, buyer_id, idempotency_key, request_hash, currency, total_amount,
                                status, risk_decision, risk_reasons, failure_message)
     VALUES ($1::uuid, $2::uuid, $3, $4, $5, $6::bigint, $7::"PaymentEventStatus", $8,
             ARRAY(SELECT jsonb_array_elements_text($9::jsonb)), $10)
     ON CONFLICT (buyer_id, idempotency_key) DO NOTHING
     RETURNING id
   ), orders AS (
     INSERT INTO payment_order (id, payment_event_id, seller_id, amount, commission, currency, items,
                                status, failure_reason)
     SELECT o.id, event.id, o.seller_id, o.amount, o.commission, $5, o.items,
            $11::"PaymentOrderStatus", $12
       FROM event, jsonb_to_recordset($13::jsonb)
                     AS o(id uuid, seller_id uuid, amount bigint, commission bigint, items jsonb)
      ORDER BY o.id
     RETURNING id
   ), moves AS (
     INSERT INTO payment_order_transition (payment_order_id, from_status, to_status, actor, reason)
     SELECT orders.id, m.from_status, m.to_status, m.actor, m.reason
       FROM orders, jsonb_to_recordset($14::jsonb) AS m(step int, from_status "PaymentOrderStatus",
                                                         to_status "PaymentOrderStatus", actor text, reason text)
      ORDER BY m.step, orders.id
   )
   SELECT id::text FROM event`,
);

/**
 * Creates a checkout once per idempotency key and returns its id. Invariant: a checkout and all
 * of its orders exist together or not at all, and nothing is charged before risk allows it.
 *
 * Three database round trips on the first call: the products, their sellers' rates and the
 * buyer's velocity in one read (never cached: a price or an `active` flag changed a second ago
 * must count); the checkout, its orders and their transitions in one statement; the PSP session
 * id afterwards. A replay costs one more read, only when the insert finds the key taken.
 */
export async function createCheckout(
  db: Db,
  buyer: Buyer,
  input: CheckoutInput,
): Promise<{ checkoutId: string }> {
  const hash = requestHash(input);
  const productIds = [...new Set(input.items.map((item) => item.productId))];
  const products = await db.$queryRawUnsafe<ProductRow[]>(
    READ_PRODUCTS,
    `{${productIds.join(",")}}`, // UUIDs, validated by the schema
    buyer.id,
    new Date(Date.now() - VELOCITY_WINDOW_MS),
  );
  if (products.length !== productIds.length || new Set(products.map((p) => p.currency)).size !== 1) {
    // The key's first request may have been made while the products were still available: its
    // answer stands (or the new cart conflicts with it).
    const replay = await existingCheckout(db, buyer.id, input, hash);
    if (replay) return { checkoutId: replay };
    throw new ProductUnavailableError();
  }
  const byId = new Map(products.map((product) => [product.id, product]));
  const currency = products[0]!.currency;

  const lines = input.items.map((item) => {
    const product = byId.get(item.productId)!;
    return {
      productId: product.id,
      name: product.name,
      sellerId: product.sellerId,
      unitPrice: product.price,
      quantity: item.quantity,
    };
  });
  const orders = splitCart(
    lines,
    new Map(products.map((product) => [product.sellerId, product.commissionBps])),
  ).map((order) => ({ ...order, id: randomUUID() }));
  const totalAmount = orders.reduce((sum, order) => sum + order.amount, 0n);
  const risk = assessRisk(
    {
      buyerName: buyer.name,
      buyerCountry: input.country ?? null,
      totalAmount,
      recentCheckouts: products[0]!.recentCheckouts,
      items: lines,
    },
    riskConfigFromEnv(),
  );
  const status =
    risk.decision === "ALLOW" ? "EXECUTING" : risk.decision === "REVIEW" ? "IN_REVIEW" : "BLOCKED";
  const orderStatus = status === "EXECUTING" ? "EXECUTING" : status === "BLOCKED" ? "FAILED" : "NOT_STARTED";
  const reason = risk.reasons.join("; ") || "risk check passed";
  const moves = movesFromBirth(orderStatus).map((move, step) => ({
    step,
    from_status: move.from,
    to_status: move.to,
    actor: move.from === null ? `buyer:${buyer.id}` : "risk",
    reason: move.from === null ? "checkout" : reason,
  }));

  // One statement, so one atomic write: the checkout (unless the key is taken: then nothing is
  // written and no row comes back), its orders in their state after the risk check, and each
  // order's moves in the order they were made. A concurrent request with the same key waits on
  // the unique index here and then finds the key taken.
  const checkoutId = randomUUID();
  const inserted = await db.$queryRawUnsafe<{ id: string }[]>(
    INSERT_CHECKOUT,
    checkoutId,
    buyer.id,
    input.idempotencyKey,
    hash,
    currency,
    totalAmount.toString(),
    status,
    risk.decision,
    JSON.stringify(risk.reasons),
    status === "BLOCKED" ? "This payment cannot be accepted." : null,
    orderStatus,
    orderStatus === "FAILED" ? reason : null,
    JSON.stringify(
      orders.map((order) => ({
        id: order.id,
        seller_id: order.sellerId,
        amount: order.amount.toString(),
        commission: order.commission.toString(),
        items: order.items,
      })),
    ),
    JSON.stringify(moves),
  );
  if (inserted.length === 0) {
    // The key was taken (a replay, or a concurrent request that won): answer as a replay of it.
    const winner = await existingCheckout(db, buyer.id, input, hash);
    if (!winner) throw new Error("checkout key taken but not found"); // cannot happen: keys are never deleted
    return { checkoutId: winner };
  }

  if (status === "EXECUTING") {
    await openPspSession(db, {
      id: checkoutId,
      attempt: 1,
      status,
      currency,
      pspSessionUrl: null,
      orders: orders.map((order) => ({ id: order.id, items: order.items })),
    }).catch(() => {});
  }
  return { checkoutId };
}
