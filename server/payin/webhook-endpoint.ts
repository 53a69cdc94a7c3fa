// The webhook endpoint's logic, shared by the Next route and the test harness: verify the
// signature on the raw body (constant time, 300 s tolerance, any configured secret during a
// rotation), store the event once, enqueue its processing, answer fast (and start processing).
// A payment's success is the exception: recorded before the answer, its event stored with it.
import type { Db } from "@/server/db";
import { getPsp } from "@/server/psp/instance";
import { isSubscribedEvent } from "@/server/psp/webhook-events";
import { crashPoint } from "@/server/runtime/crash-points";
import { processWebhookEvent, recordReportedSuccess, storeWebhookEvent } from "./webhooks";

const MAX_BODY_BYTES = 512 * 1024;

export async function receivePspWebhook(
  db: Db,
  body: string,
  signature: string | null,
  secrets: string[],
): Promise<{ status: number; body: Record<string, unknown> }> {
  if (!signature) return { status: 400, body: { error: "Missing Stripe-Signature header" } };
  if (Buffer.byteLength(body) > MAX_BODY_BYTES) return { status: 413, body: { error: "Payload too large" } };
  let event: Awaited<ReturnType<ReturnType<typeof getPsp>["constructWebhookEvent"]>>;
  try {
    event = await getPsp().constructWebhookEvent(body, signature, secrets);
  } catch {
    return { status: 400, body: { error: "Invalid signature" } };
  }
  // The one event of every paid checkout: its success and the event are written by one
  // transaction (group-committed with other successes), not the event first and then its
  // processing. Nothing is stored until that commits, so the PSP keeps the event meanwhile: a
  // crash before it means no answer, and the PSP's retry. If recording fails, the event is stored
  // and processed as any other below (and the sweep's job retries it).
  const recorded = await recordReportedSuccess(db, event, body).catch(() => null);
  if (recorded !== null) {
    // A process killed here has recorded the success; the PSP's retry finds it recorded.
    crashPoint("payin.webhook-success-before-answer");
    return { status: 200, body: { received: true, duplicate: !recorded } };
  }
  const stored = await storeWebhookEvent(db, event);
  if (stored && isSubscribedEvent(event.type)) {
    // A process killed here leaves the event stored, unanswered and unprocessed; the PSP's retry
    // is a replay, not processed again. The sweep's job processes it (`sweepUnprocessedWebhooks`).
    crashPoint("payin.webhook-stored-before-processing");
    // Processing (not awaited: the answer does not wait) runs the idempotent processor, which
    // locks the checkout before it changes anything, so running it twice would change nothing.
    setImmediate(() => {
      processWebhookEvent(db, event.id, event).catch(() => {});
    });
  }
  return { status: 200, body: { received: true, duplicate: !stored } };
}
