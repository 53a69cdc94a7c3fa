// Step 4: PSP webhooks. The route stores each verified event once (by PSP event id) and processes
// it at once; a sweep gives a processing job to any event still unprocessed a while later. A
// payment's success is taken from the signed event itself (a succeeded payment intent never
// becomes unpaid); for anything else the processor asks the PSP for the current truth. So
// duplicates, reordering and late arrivals all end in the same state.
import type Stripe from "stripe";
import { z } from "zod";
import { type Db, hotQuery, preparedStatement } from "@/server/db";
import { allWritten, firstOfEachKey, groupCommitPerDb, type Settled } from "@/server/db/group-commit";
import { NotFoundError } from "@/server/errors";
import { enqueueMany } from "@/server/jobs/define-job";
import { handlePayoutPspEvent } from "@/server/payout/psp-events";
import { declineMessage } from "@/server/psp/decline-messages";
import { isSubscribedEvent } from "@/server/psp/webhook-events";
import { processWebhookJob } from "./jobs";
import { recordDeclinedAttempt, recordPaymentSucceeded } from "./record-outcome";
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

const STORE_BATCH = preparedStatement(
  "webhook_store_batch",
  `INSERT INTO psp_webhook_event (id, type, payload)
   SELECT id, type, payload::jsonb FROM unnest($1::text[], $2::text[], $3::text[]) AS e(id, type, payload)
   ON CONFLICT (id) DO NOTHING
   RETURNING id`,
);

/**
 * Stores the events once each, in one statement; the stored row is the durable record of work to
 * do (`processed_at` null), so no job is written with it: the endpoint processes each new event at
 * once, and `sweepUnprocessedWebhooks` enqueues the rare one whose processing never finished. If
 * the statement fails, `groupCommit` stores each event alone, so one bad event fails only its
 * delivery.
 */
async function storeBatch(db: Db, events: Stripe.Event[]): Promise<Settled<boolean>[]> {
  const rows = await hotQuery<{ id: string }>(
    db,
    STORE_BATCH,
    events.map((event) => event.id),
    events.map((event) => event.type),
    events.map((event) => JSON.stringify(event)),
  );
  return firstOfEachKey(events, (event) => event.id, new Set(rows.map((row) => row.id)));
}

const storeToProcess = groupCommitPerDb(storeBatch, 100);

const MARK_PROCESSED = preparedStatement(
  "webhook_mark_processed",
  `UPDATE psp_webhook_event SET processed_at = now() WHERE id = ANY ($1::text[])`,
);

/** Marks events processed; those processed at the same moment share one statement. */
const markProcessed = groupCommitPerDb(async (db: Db, eventIds: string[]) => {
  await hotQuery(db, MARK_PROCESSED, eventIds);
  return allWritten(eventIds);
}, 100);

const checkoutReference = z.string().uuid();

/** The checkout an object belongs to; null for one that is not ours (another integration's). */
function checkoutIdOf(object: { metadata?: Stripe.Metadata | null; client_reference_id?: string | null }) {
  const reference = checkoutReference.safeParse(
    object.metadata?.payment_event_id ?? object.client_reference_id?.split(":")[0],
  );
  return reference.success ? reference.data : null;
}

/** The success a `payment_intent.succeeded` event reports of a checkout of ours; null for any other. */
function reportedSuccess(event: Stripe.Event) {
  if (event.type !== "payment_intent.succeeded") return null;
  const intent = event.data.object as Stripe.PaymentIntent;
  const checkoutId = checkoutIdOf(intent);
  if (!checkoutId || intent.status !== "succeeded") return null;
  const charge = intent.latest_charge;
  return {
    checkoutId,
    paymentIntentId: intent.id,
    chargeId: (typeof charge === "string" ? charge : charge?.id) ?? null,
  };
}

/**
 * Records the payment success an event reports, the event itself stored processed in the same
 * transaction (or marked processed, if it was stored before): the verified event is the PSP's word
 * that the money was captured, recorded as it stands without asking again (a success is final; a
 * FAILED checkout paid late still gets it). `payload` is the event's verified JSON. Resolves
 * whether this call recorded the success, or null when the event reports none (nothing written).
 */
export async function recordReportedSuccess(
  db: Db,
  event: Stripe.Event,
  payload: string,
): Promise<boolean | null> {
  const success = reportedSuccess(event);
  if (!success) return null;
  return recordPaymentSucceeded(db, success.checkoutId, {
    paymentIntentId: success.paymentIntentId,
    chargeId: success.chargeId,
    actor: `psp:${event.type}`,
    webhookEvent: { id: event.id, type: event.type, payload },
  });
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
  if (event.type === "payment_intent.succeeded") {
    // The success's transaction marks the event processed.
    if ((await recordReportedSuccess(db, event, JSON.stringify(event))) !== null) return;
  } else if (event.type.startsWith("checkout.session.")) {
    // Every session event acted on ends a session unpaid. One whose checkout was never stored
    // (its checkout call died after opening the session, or lost its key to a twin) leaves
    // nothing of ours to change; no one was ever given its page.
    const checkoutId = checkoutIdOf(event.data.object as Stripe.Checkout.Session);
    if (checkoutId)
      await syncPaymentStatus(db, checkoutId, actor).catch((error: unknown) => {
        if (!(error instanceof NotFoundError)) throw error;
      });
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

/** The events still waiting for processing, and when the oldest arrived (the jobs console). */
export async function unprocessedWebhooks(db: Db): Promise<{ count: number; oldestReceivedAt: Date | null }> {
  const [row] = await db.$queryRaw<{ count: number; oldest: Date | null }[]>`
    SELECT count(*)::int AS count, min(received_at) AS oldest FROM psp_webhook_event WHERE processed_at IS NULL`;
  return { count: row?.count ?? 0, oldestReceivedAt: row?.oldest ?? null };
}

const SWEEP_BATCH = 500;

/**
 * The backup for processing on receipt: every event still unprocessed `olderThanSeconds` after it
 * was stored (its process died first, or processing failed) gets one processing job, with the
 * queue's retries and dead-letter queue, in the transaction that marks it swept, so each gets
 * exactly one. The wait keeps the sweep from racing processing that is still under way (which
 * would do the work twice). Reads a partial index of the unprocessed events only.
 */
export async function sweepUnprocessedWebhooks(db: Db, olderThanSeconds: number): Promise<number> {
  let swept = 0;
  for (;;) {
    const count = await db.$transaction(async (tx) => {
      const rows = await tx.$queryRaw<{ id: string }[]>`
        UPDATE psp_webhook_event SET backup_enqueued_at = now()
         WHERE id IN (
           SELECT id FROM psp_webhook_event
            WHERE processed_at IS NULL AND backup_enqueued_at IS NULL
              AND received_at < now() - ${olderThanSeconds} * interval '1 second'
            ORDER BY received_at
            LIMIT ${SWEEP_BATCH}
            FOR UPDATE SKIP LOCKED)
        RETURNING id`;
      await enqueueMany(
        tx,
        processWebhookJob,
        rows.map((row) => ({ eventId: row.id })),
      );
      return rows.length;
    });
    swept += count;
    if (count < SWEEP_BATCH) return swept;
  }
}
