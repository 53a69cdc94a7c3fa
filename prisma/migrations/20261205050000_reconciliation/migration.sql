-- Reconciliation: the PSP's settlement data, runs over a period, and the mismatches they find.
CREATE TYPE "ReconRunStatus" AS ENUM ('RUNNING', 'COMPLETED', 'FAILED');
CREATE TYPE "ReconOutcome" AS ENUM ('MATCHED', 'MISSING_IN_LEDGER', 'MISSING_AT_PSP', 'AMOUNT_MISMATCH', 'STATUS_MISMATCH', 'DUPLICATE');
CREATE TYPE "ReconClassification" AS ENUM ('AUTO_FIXED', 'MANUAL', 'UNCLASSIFIED');
CREATE TYPE "ReconResolution" AS ENUM ('OPEN', 'RESOLVED', 'ADJUSTED', 'IGNORED');

CREATE TABLE "settlement_record" (
    "id" BIGSERIAL NOT NULL,
    "psp_id" TEXT NOT NULL,
    "type" TEXT NOT NULL,
    "source_id" TEXT NOT NULL,
    "amount" BIGINT NOT NULL,
    "fee" BIGINT NOT NULL,
    "net" BIGINT NOT NULL,
    "currency" CHAR(3) NOT NULL,
    "created_at_psp" TIMESTAMPTZ(6) NOT NULL,
    "origin" TEXT NOT NULL,
    "ingested_at" TIMESTAMPTZ(6) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "settlement_record_pkey" PRIMARY KEY ("id"),
    CONSTRAINT "settlement_record_net_check" CHECK ("net" = "amount" - "fee"),
    CONSTRAINT "settlement_record_origin_check" CHECK ("origin" IN ('API', 'FILE'))
);
CREATE UNIQUE INDEX "settlement_record_psp_id_key" ON "settlement_record"("psp_id");
CREATE INDEX "settlement_record_type_source_id_idx" ON "settlement_record"("type", "source_id");
CREATE INDEX "settlement_record_created_at_psp_idx" ON "settlement_record"("created_at_psp");

CREATE TABLE "recon_run" (
    "id" UUID NOT NULL,
    "period_start" TIMESTAMPTZ(6) NOT NULL,
    "period_end" TIMESTAMPTZ(6) NOT NULL,
    "status" "ReconRunStatus" NOT NULL DEFAULT 'RUNNING',
    "total" INTEGER NOT NULL DEFAULT 0,
    "processed" INTEGER NOT NULL DEFAULT 0,
    "counts" JSONB NOT NULL DEFAULT '{}',
    "changes" JSONB,
    "error" TEXT,
    "previous_run_id" UUID REFERENCES "recon_run"("id"),
    "started_by" UUID REFERENCES "app_user"("id"),
    "started_at" TIMESTAMPTZ(6) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "finished_at" TIMESTAMPTZ(6),
    CONSTRAINT "recon_run_pkey" PRIMARY KEY ("id"),
    CONSTRAINT "recon_run_period_check" CHECK ("period_start" < "period_end")
);
CREATE INDEX "recon_run_period_start_period_end_started_at_idx" ON "recon_run"("period_start", "period_end", "started_at");

CREATE TABLE "recon_item" (
    "id" BIGSERIAL NOT NULL,
    "run_id" UUID NOT NULL,
    "area" TEXT NOT NULL,
    "outcome" "ReconOutcome" NOT NULL,
    "classification" "ReconClassification" NOT NULL,
    "psp_reference" TEXT,
    "our_reference" TEXT,
    "expected_amount" BIGINT,
    "actual_amount" BIGINT,
    "detail" TEXT NOT NULL,
    "suggested_fix" TEXT,
    "resolution" "ReconResolution" NOT NULL DEFAULT 'OPEN',
    "resolved_by" UUID REFERENCES "app_user"("id"),
    "resolved_at" TIMESTAMPTZ(6),
    "note" TEXT,
    CONSTRAINT "recon_item_pkey" PRIMARY KEY ("id")
);
CREATE INDEX "recon_item_run_id_resolution_idx" ON "recon_item"("run_id", "resolution");
ALTER TABLE "recon_item" ADD CONSTRAINT "recon_item_run_id_fkey" FOREIGN KEY ("run_id") REFERENCES "recon_run"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- Reconciliation looks payments, refunds and payouts up by their PSP ids.
CREATE INDEX "refund_status_psp_refund_id_idx" ON "refund"("status", "psp_refund_id");
