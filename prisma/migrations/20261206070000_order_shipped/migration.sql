-- A seller marks an order shipped; its funds become available a hold period later (the release
-- job). The partial index is that job's work list: paid orders shipped and not released yet, by
-- shipping time, so each run reads only what may be due however many orders were released before.
ALTER TABLE "payment_order" ADD COLUMN "shipped_at" TIMESTAMPTZ(6);
CREATE INDEX "payment_order_release_due_idx" ON "payment_order" ("shipped_at")
  WHERE "status" = 'SUCCESS' AND "released_at" IS NULL AND "shipped_at" IS NOT NULL;
