// Step 3: the PSP checkout session. Called after the checkout committed, outside any database
// transaction. The idempotency key is derived from the checkout id and attempt, so repeating the
// call after a timeout or a crash returns the same session instead of a second one.
import { type Db, preparedStatement } from "@/server/db";
import { env } from "@/server/env";
import { getPsp } from "@/server/psp/instance";
import { crashPoint } from "@/server/runtime/crash-points";

export function pspReference(checkoutId: string, attempt: number): string {
  return attempt === 1 ? checkoutId : `${checkoutId}:${attempt}`;
}

/** What starting a session needs to know of a checkout. */
export interface SessionCheckout {
  id: string;
  attempt: number;
  status: string;
  currency: string;
  pspSessionUrl: string | null;
  orders: { id: string; items: unknown }[];
}

// Runs on every checkout: prepared once per connection (a primary-key update, so the generic
// plan is the custom one).
const RECORD_SESSION = preparedStatement(
  "checkout_record_session",
  `UPDATE payment_event SET psp_session_id = $2, psp_session_url = $3, updated_at = now()
    WHERE id = $1::uuid AND attempt = $4 AND status = 'EXECUTING' AND psp_session_id IS NULL`,
);

/** Returns the hosted payment page URL, creating the session at the PSP if needed. */
export async function startPspSession(db: Db, checkoutId: string): Promise<string | null> {
  const event = await db.paymentEvent.findUniqueOrThrow({
    where: { id: checkoutId },
    include: { orders: { orderBy: { id: "asc" } } },
  });
  return openPspSession(db, event);
}

/**
 * The same for a checkout the caller already holds (the checkout call has just written it, so
 * reading it back would be a wasted round trip). The parameters must be the ones a later
 * `startPspSession` would send, or the PSP refuses the replayed key: orders by id, as the
 * database orders UUIDs (lowercase hex strings sort the same way), items as stored.
 */
export async function openPspSession(db: Db, event: SessionCheckout): Promise<string | null> {
  if (event.status !== "EXECUTING") return null;
  if (event.pspSessionUrl) return event.pspSessionUrl;
  const appUrl = env().APP_URL;
  const orders = [...event.orders].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  const lineItems = orders.flatMap((order) =>
    (order.items as { name: string; unitPrice: string; quantity: number }[]).map((item) => ({
      name: item.name,
      amount: BigInt(item.unitPrice),
      quantity: item.quantity,
    })),
  );
  const session = await getPsp().createCheckoutSession({
    paymentEventId: pspReference(event.id, event.attempt),
    lineItems,
    currency: event.currency,
    successUrl: `${appUrl}/checkout/${event.id}?session_id={CHECKOUT_SESSION_ID}`,
    cancelUrl: `${appUrl}/checkout/${event.id}?canceled=1`,
    metadata: { payment_event_id: event.id, attempt: String(event.attempt) },
  });
  crashPoint("payin.session-created-before-record");
  // Only the attempt we started may record its session (a retry may have moved on meanwhile).
  await db.$executeRawUnsafe(RECORD_SESSION, event.id, session.sessionId, session.url, event.attempt);
  return session.url;
}
