// Step 4: PSP webhooks. The route stores each verified event once (by PSP event id) and enqueues
// it in the same transaction; the processor asks the PSP for the current truth, so duplicates,
// reordering and late arrivals all end in the same state.
import type Stripe from "stripe";
import type { Db } from "@/server/db";
import { allWritten, firstOfEachKey, groupCommitPerDb, type Settled } from "@/server/db/group-commit";
import { env } from "@/server/env";
import { enqueueMany } from "@/server/jobs/define-job";
import { handlePayoutPspEvent } from "@/server/payout/psp-events";
import { declineMessage } from "@/server/psp/decline-messages";
import { isSubscribedEvent } from "@/server/psp/webhook-events";
import { processWebhookJob } from "./jobs";
import { recordDeclinedAttempt } from "./record-outcome";
import { applyRefundStatus } from "./refunds";
import { syncPaymentStatus } from "./sync-status";

/**
 * Stores a verified event; resolves false for a replay of an event already stored. Events
 * arriving together are group-committed: one transaction stores them and enqueues their jobs.
 */
export function storeWebhookEvent(db: Db, event: Stripe.Event): Promise<boolean> {
  return isSubscribedEvent(event.type) ? storeToProcess(db, event) : storeProcessed(db, event);
}

/**
 * An event Payrail does not act on (an endpoint subscribed to every type gets them): kept for the
 * record, already processed; one statement, no job.
 */
async function storeProcessed(db: Db, event: Stripe.Event): Promise<boolean> {
  const inserted = await db.$executeRaw`
    INSERT INTO psp_webhook_event (id, type, payload, processed_at)
    VALUES (${event.id}, ${event.type}, ${JSON.stringify(event)}::jsonb, now())
    ON CONFLICT (id) DO NOTHING`;
  return inserted > 0;
}

/**
 * Stores the events once each and enqueues a processing job for each new one, in one transaction
 * (if it fails, `groupCommit` stores each event alone, so one bad event fails only its delivery).
 * The endpoint processes each event at once; the job, delayed, is the backup for a process that
 * died before it could, so it does not race that processing.
 */
async function storeBatch(db: Db, events: Stripe.Event[]): Promise<Settled<boolean>[]> {
  const inserted = await db.$transaction(async (tx) => {
    const rows = await tx.$queryRawUnsafe<{ id: string }[]>(
      `INSERT INTO psp_webhook_event (id, type, payload)
       SELECT id, type, payload::jsonb FROM unnest($1::text[], $2::text[], $3::text[]) AS e(id, type, payload)
       ON CONFLICT (id) DO NOTHING
       RETURNING id`,
      events.map((event) => event.id),
      events.map((event) => event.type),
      events.map((event) => JSON.stringify(event)),
    );
    const ids = new Set(rows.map((row) => row.id));
    await enqueueMany(
      tx,
      processWebhookJob,
      [...ids].map((eventId) => ({ eventId })),
      { startAfter: env().WEBHOOK_BACKUP_DELAY_SECONDS },
    );
    return ids;
  });
  return firstOfEachKey(events, (event) => event.id, inserted);
}

const storeToProcess = groupCommitPerDb(storeBatch, 100);

/** Marks events processed; those processed at the same moment share one statement. */
const markProcessed = groupCommitPerDb(async (db: Db, eventIds: string[]) => {
  await db.$executeRawUnsafe(
    `UPDATE psp_webhook_event SET processed_at = now() WHERE id = ANY ($1::text[])`,
    eventIds,
  );
  return allWritten(eventIds);
}, 100);

function checkoutIdOf(object: { metadata?: Stripe.Metadata | null; client_reference_id?: string | null }) {
  return object.metadata?.payment_event_id ?? object.client_reference_id?.split(":")[0] ?? null;
}

/**
 * Processes a stored event. `verified` is the event the endpoint has just verified and stored
 * (so not processed yet): given, the stored copy is not read back.
 */
export async function processWebhookEvent(db: Db, eventId: string, verified?: Stripe.Event): Promise<void> {
  let event = verified;
  if (!event) {
    const stored = await db.pspWebhookEvent.findUnique({ where: { id: eventId } });
    if (!stored || stored.processedAt) return;
    event = stored.payload as unknown as Stripe.Event;
  }
  const actor = `psp:${event.type}`;
  if (event.type.startsWith("checkout.session.")) {
    const checkoutId = checkoutIdOf(event.data.object as Stripe.Checkout.Session);
    if (checkoutId) await syncPaymentStatus(db, checkoutId, actor);
  } else if (event.type === "payment_intent.payment_failed") {
    const intent = event.data.object as Stripe.PaymentIntent;
    const checkoutId = checkoutIdOf(intent);
    const code = intent.last_payment_error?.decline_code ?? intent.last_payment_error?.code ?? null;
    if (checkoutId)
      await recordDeclinedAttempt(db, checkoutId, { code, message: declineMessage(code ?? undefined) });
  } else if (event.type.startsWith("refund.") || event.type === "charge.refund.updated") {
    const pspRefund = event.data.object as Stripe.Refund;
    const refundId = pspRefund.metadata?.refund_id;
    const refund = refundId
      ? await db.refund.findUnique({ where: { id: refundId } })
      : await db.refund.findUnique({ where: { pspRefundId: pspRefund.id } });
    if (refund) {
      await applyRefundStatus(db, refund.id, {
        pspRefundId: pspRefund.id,
        status: pspRefund.status ?? "pending",
        failureReason: pspRefund.failure_reason ?? null,
      });
    }
  } else if (event.type.startsWith("transfer.") || event.type.startsWith("payout.")) {
    await handlePayoutPspEvent(db, event);
  }
  await markProcessed(db, eventId);
}
