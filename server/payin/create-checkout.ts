// Steps 1–3 of the money path: the checkout and its orders (risk-checked) stored with their PSP
// session. Idempotent on (buyer, idempotency key).
import { createHash } from "node:crypto";
import type { Db } from "@/server/db";
import { IdempotencyConflictError } from "@/server/errors";
import { ProductUnavailableError } from "./errors";
import type { CheckoutInput } from "./schemas";
import { type Buyer, storeCheckout } from "./store-checkouts";

function requestHash(input: CheckoutInput): string {
  const items = [...input.items]
    .map((item) => `${item.productId}x${item.quantity}`)
    .sort()
    .join(",");
  return createHash("sha256")
    .update(`${items}|${input.country?.toUpperCase() ?? ""}`)
    .digest("hex");
}

/** What the buyer needs next: the checkout, and the PSP's hosted page while it can be paid. */
export interface CheckoutCreated {
  checkoutId: string;
  /** null when the checkout is in review, blocked, or its PSP session is not open yet */
  paymentUrl: string | null;
}

/** The checkout already stored under this key, or null; another cart under it is a conflict. */
async function existingCheckout(
  db: Db,
  buyerId: string,
  input: CheckoutInput,
  hash: string,
): Promise<CheckoutCreated | null> {
  const found = await db.paymentEvent.findUnique({
    where: { buyerId_idempotencyKey: { buyerId, idempotencyKey: input.idempotencyKey } },
    select: { id: true, requestHash: true, status: true, pspSessionUrl: true },
  });
  if (!found) return null;
  if (found.requestHash !== hash) throw new IdempotencyConflictError();
  return {
    checkoutId: found.id,
    paymentUrl: found.status === "EXECUTING" ? found.pspSessionUrl : null,
  };
}

/**
 * Creates a checkout once per idempotency key and returns its id, with the hosted payment page
 * the buyer goes to at once. Invariant: a checkout and all of its orders exist together or not
 * at all, and nothing is charged before risk allows it.
 *
 * Two database round trips on the first call, each shared with the calls arriving at the same
 * moment (store-checkouts.ts): the read and the insert, with the PSP session opened in between. A
 * PSP timeout or outage leaves the URL null: the recovery job opens the session, and the checkout
 * page shows it when it is there. A replay costs one more read.
 */
export async function createCheckout(db: Db, buyer: Buyer, input: CheckoutInput): Promise<CheckoutCreated> {
  const hash = requestHash(input);
  const stored = await storeCheckout(db, { buyer, input, hash });
  if (stored.outcome === "created") return { checkoutId: stored.checkoutId, paymentUrl: stored.paymentUrl };
  // The key was taken (a replay, or a concurrent request that won): answer as a replay of it.
  // The key's first request may have been made while the products were still available: its
  // answer stands then too (or the new cart conflicts with it).
  const replay = await existingCheckout(db, buyer.id, input, hash);
  if (replay) return replay;
  if (stored.outcome === "unavailable") throw new ProductUnavailableError();
  throw new Error("checkout key taken but not found"); // cannot happen: keys are never deleted
}
