-- Reconciliation, second step: the settlement record's id column says what it holds (the PSP's
-- balance transaction id), a mismatch points at the settlement record it came from, and fees the
-- PSP took beyond its contract are booked as a claim against the PSP.
ALTER TABLE "settlement_record" RENAME COLUMN "psp_id" TO "psp_balance_transaction_id";
ALTER INDEX "settlement_record_psp_id_key" RENAME TO "settlement_record_psp_balance_transaction_id_key";

-- Matching probes, for each record, for an earlier record of the same source (a duplicate); with the
-- id in the index that probe is index-only.
DROP INDEX "settlement_record_type_source_id_idx";
CREATE INDEX "settlement_record_type_source_id_id_idx" ON "settlement_record"("type", "source_id", "id");

ALTER TABLE "recon_item" ADD COLUMN "settlement_record_id" BIGINT;
ALTER TABLE "recon_item" ADD CONSTRAINT "recon_item_settlement_record_id_fkey"
  FOREIGN KEY ("settlement_record_id") REFERENCES "settlement_record"("id") ON DELETE RESTRICT ON UPDATE CASCADE;
-- Carrying finance's decisions forward looks earlier items up by what they are about.
CREATE INDEX "recon_item_area_outcome_psp_reference_idx" ON "recon_item"("area", "outcome", "psp_reference");

-- Money the PSP owes back: fees charged above the contracted price (debit = claim outstanding).
INSERT INTO "ledger_account" ("code", "type", "currency") VALUES ('psp_fee_claims', 'ASSET', 'usd')
  ON CONFLICT DO NOTHING;
