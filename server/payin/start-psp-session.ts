// Step 3: the PSP checkout session. Called after the checkout committed, outside any database
// transaction. The idempotency key is derived from the checkout id and attempt, so repeating the
// call after a timeout or a crash returns the same session instead of a second one.
import type { Db } from "@/server/db";
import { env } from "@/server/env";
import { getPsp } from "@/server/psp/instance";
import { crashPoint } from "@/server/runtime/crash-points";

export function pspReference(checkoutId: string, attempt: number): string {
  return attempt === 1 ? checkoutId : `${checkoutId}:${attempt}`;
}

/** Returns the hosted payment page URL, creating the session at the PSP if needed. */
export async function startPspSession(db: Db, checkoutId: string): Promise<string | null> {
  const event = await db.paymentEvent.findUniqueOrThrow({
    where: { id: checkoutId },
    include: { orders: { orderBy: { id: "asc" } } },
  });
  if (event.status !== "EXECUTING") return null;
  if (event.pspSessionUrl) return event.pspSessionUrl;
  const appUrl = env().APP_URL;
  const lineItems = event.orders.flatMap((order) =>
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
  await db.paymentEvent.updateMany({
    where: { id: event.id, attempt: event.attempt, status: "EXECUTING", pspSessionId: null },
    data: { pspSessionId: session.sessionId, pspSessionUrl: session.url, updatedAt: new Date() },
  });
  return session.url;
}
