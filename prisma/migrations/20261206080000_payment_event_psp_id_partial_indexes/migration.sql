-- A checkout's PSP ids are null until the PSP answers (the session) or the payment succeeds (the
-- intent and the charge), and every lookup by them is by a value. Indexing only the rows that
-- have one keeps lookups and uniqueness as they were (a unique index never compared nulls) while
-- a new checkout writes three index entries fewer, and so does its session update (which cannot
-- be a HOT update: it sets an indexed column, so every index not excluded gets a new entry).
DROP INDEX "payment_event_psp_session_id_key";
CREATE UNIQUE INDEX "payment_event_psp_session_id_key" ON "payment_event" ("psp_session_id")
  WHERE "psp_session_id" IS NOT NULL;
DROP INDEX "payment_event_psp_charge_id_idx";
CREATE INDEX "payment_event_psp_charge_id_idx" ON "payment_event" ("psp_charge_id")
  WHERE "psp_charge_id" IS NOT NULL;
DROP INDEX "payment_event_psp_payment_intent_id_idx";
CREATE INDEX "payment_event_psp_payment_intent_id_idx" ON "payment_event" ("psp_payment_intent_id")
  WHERE "psp_payment_intent_id" IS NOT NULL;
