// The PSP events Payrail acts on. Its webhook endpoint subscribes to exactly these (Stripe's
// `enabled_events`); an endpoint subscribed to more (`*`) still works: the receiver keeps the
// other events for the record without processing them.
export const WEBHOOK_EVENT_TYPES: readonly string[] = [
  // A payment's success, with its charge: recorded from the event alone. (A session's
  // `completed` and `async_payment_succeeded` say the same without the charge, so are not needed.)
  "payment_intent.succeeded",
  // A session that ends unpaid: the processor asks the PSP for the reason.
  "checkout.session.async_payment_failed",
  "checkout.session.expired",
  // A declined attempt on a session that stays open: the buyer sees why.
  "payment_intent.payment_failed",
  "refund.created",
  "refund.updated",
  "refund.failed",
  "charge.refund.updated",
  "transfer.created",
  "transfer.updated",
  "transfer.reversed",
  "payout.paid",
  "payout.failed",
];

const subscribed = new Set(WEBHOOK_EVENT_TYPES);

/** Whether Payrail processes events of this type. */
export function isSubscribedEvent(type: string): boolean {
  return subscribed.has(type);
}
