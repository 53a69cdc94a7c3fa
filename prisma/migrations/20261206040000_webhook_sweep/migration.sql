-- Webhook events: no backup job per event any more. The endpoint processes each stored event at
-- once; a sweep every minute gives a processing job to the few it finds still unprocessed a while
-- after they arrived (their process died, or processing failed), once each. See docs/payin.md,
-- step 4.

-- When the sweep gave this event its processing job; null while it has none.
ALTER TABLE "psp_webhook_event" ADD COLUMN "backup_enqueued_at" TIMESTAMPTZ(6);

-- The sweep's scan: only the events waiting for it are in the index, so it stays tiny whatever
-- the table's size.
CREATE INDEX "psp_webhook_event_unswept_idx" ON "psp_webhook_event" ("received_at")
  WHERE "processed_at" IS NULL AND "backup_enqueued_at" IS NULL;
