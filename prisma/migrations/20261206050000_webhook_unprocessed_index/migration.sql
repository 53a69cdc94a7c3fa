-- The partial index of webhook events waiting for processing holds every unprocessed event, swept
-- or not: the sweep still finds the unswept ones in it (a handful besides them at most: those
-- whose job is still retrying, or dead-lettered), and the jobs console can count what waits
-- without scanning the table. Marking an event swept no longer changes an indexed column.
DROP INDEX "psp_webhook_event_unswept_idx";
CREATE INDEX "psp_webhook_event_unprocessed_idx" ON "psp_webhook_event" ("received_at")
  WHERE "processed_at" IS NULL;
