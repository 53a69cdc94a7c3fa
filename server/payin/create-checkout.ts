// Step 1–3 of the money path: store the checkout and its orders, run the risk check, and start
// the PSP session. Idempotent on (buyer, idempotency key).
import { createHash } from "node:crypto";
import type { Db } from "@/server/db";
import { IdempotencyConflictError } from "@/server/errors";
import { assessRisk, riskConfigFromEnv } from "@/server/risk/rules";
import { ProductUnavailableError } from "./errors";
import type { CheckoutInput } from "./schemas";
import { splitCart } from "./split";
import { startPspSession } from "./start-psp-session";
import { transitionOrders } from "./state-machine";

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

async function existingCheckout(db: Db, buyerId: string, input: CheckoutInput, hash: string) {
  const found = await db.paymentEvent.findUnique({
    where: { buyerId_idempotencyKey: { buyerId, idempotencyKey: input.idempotencyKey } },
    select: { id: true, requestHash: true },
  });
  if (found && found.requestHash !== hash) throw new IdempotencyConflictError();
  return found?.id ?? null;
}

const isUniqueViolation = (error: unknown) => (error as { code?: string }).code === "P2002";

/**
 * Creates a checkout once per idempotency key and returns its id. Invariant: a checkout and all
 * of its orders exist together or not at all, and nothing is charged before risk allows it.
 */
export async function createCheckout(
  db: Db,
  buyer: Buyer,
  input: CheckoutInput,
): Promise<{ checkoutId: string }> {
  const hash = requestHash(input);
  const replay = await existingCheckout(db, buyer.id, input, hash);
  if (replay) return { checkoutId: replay };

  const productIds = [...new Set(input.items.map((item) => item.productId))];
  const products = await db.product.findMany({
    where: { id: { in: productIds }, active: true },
    include: { seller: { select: { id: true, commissionBps: true } } },
  });
  const byId = new Map(products.map((product) => [product.id, product]));
  if (products.length !== productIds.length) throw new ProductUnavailableError();
  const currencies = new Set(products.map((product) => product.currency));
  if (currencies.size !== 1) throw new ProductUnavailableError();
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
    new Map(products.map((product) => [product.sellerId, product.seller.commissionBps])),
  );
  const totalAmount = orders.reduce((sum, order) => sum + order.amount, 0n);
  const recentCheckouts = await db.paymentEvent.count({
    where: { buyerId: buyer.id, createdAt: { gte: new Date(Date.now() - VELOCITY_WINDOW_MS) } },
  });
  const risk = assessRisk(
    {
      buyerName: buyer.name,
      buyerCountry: input.country ?? null,
      totalAmount,
      recentCheckouts,
      items: lines,
    },
    riskConfigFromEnv(),
  );
  const status =
    risk.decision === "ALLOW" ? "EXECUTING" : risk.decision === "REVIEW" ? "IN_REVIEW" : "BLOCKED";

  let checkoutId: string;
  try {
    checkoutId = await db.$transaction(async (tx) => {
      const event = await tx.paymentEvent.create({
        data: {
          buyerId: buyer.id,
          idempotencyKey: input.idempotencyKey,
          requestHash: hash,
          currency,
          totalAmount,
          status,
          riskDecision: risk.decision,
          riskReasons: risk.reasons,
          failureMessage: status === "BLOCKED" ? "This payment cannot be accepted." : null,
        },
      });
      for (const order of orders) {
        const created = await tx.paymentOrder.create({
          data: {
            paymentEventId: event.id,
            sellerId: order.sellerId,
            amount: order.amount,
            commission: order.commission,
            currency,
            items: order.items,
          },
        });
        await tx.paymentOrderTransition.create({
          data: {
            paymentOrderId: created.id,
            toStatus: "NOT_STARTED",
            actor: `buyer:${buyer.id}`,
            reason: "checkout",
          },
        });
      }
      const reason = risk.reasons.join("; ") || "risk check passed";
      if (status === "EXECUTING")
        await transitionOrders(tx, event.id, "EXECUTING", { actor: "risk", reason });
      if (status === "BLOCKED") {
        await transitionOrders(tx, event.id, "FAILED", {
          actor: "risk",
          reason,
          data: { failureReason: reason },
        });
      }
      return event.id;
    });
  } catch (error) {
    // A concurrent request with the same key won the insert: answer as a replay of it.
    if (!isUniqueViolation(error)) throw error;
    const winner = await existingCheckout(db, buyer.id, input, hash);
    if (!winner) throw error;
    return { checkoutId: winner };
  }

  if (status === "EXECUTING") await startPspSession(db, checkoutId).catch(() => {});
  return { checkoutId };
}
