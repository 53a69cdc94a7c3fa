-- Indexes for the pay-in consoles (seller orders, finance payment search, volume chart, payment
-- detail), so each page is an index scan that stops at the page size, whatever the table size.

-- Finance's payment list, newest first, and its date ranges: a backward scan of (created_at, id),
-- which is also the keyset order.
CREATE INDEX "payment_event_created_at_id_idx" ON "payment_event"("created_at", "id");
-- The status filter in created_at order, and the daily volume of succeeded payments as an
-- index-only scan (the sum and the currency are read from the index).
CREATE INDEX "payment_event_status_created_at_idx" ON "payment_event"("status", "created_at") INCLUDE ("total_amount", "currency");
-- Search by PSP payment intent (the session id is unique, the charge id already indexed).
CREATE INDEX "payment_event_psp_payment_intent_id_idx" ON "payment_event"("psp_payment_intent_id");

-- A seller's orders filtered by status, newest first.
CREATE INDEX "payment_order_seller_id_status_created_at_idx" ON "payment_order"("seller_id", "status", "created_at");

-- The webhook events of a payment, by the reference Payrail put in the PSP object's metadata
-- (checkout id on sessions, payment intents and charges; refund id on refunds). Queries must
-- repeat this expression verbatim (server/payin/queries.ts).
CREATE INDEX "psp_webhook_event_reference_idx" ON "psp_webhook_event" ((coalesce(
  payload #>> '{data,object,metadata,payment_event_id}',
  payload #>> '{data,object,metadata,refund_id}')));
