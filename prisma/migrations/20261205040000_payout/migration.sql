-- Payouts: per-seller schedules, payout runs, one payout per seller per run, and every status
-- change with who and why. The database itself refuses a second live payout for a seller.
CREATE TYPE "PayoutSchedule" AS ENUM ('MONTHLY', 'WEEKLY', 'DAILY', 'MANUAL');
CREATE TYPE "PayoutRunStatus" AS ENUM ('DRAFT', 'AWAITING_APPROVAL', 'PROCESSING', 'COMPLETED', 'CANCELED');
CREATE TYPE "PayoutStatus" AS ENUM ('PENDING', 'PROCESSING', 'PAID', 'FAILED', 'CANCELED');

CREATE TABLE "payout_settings" (
    "seller_id" UUID NOT NULL REFERENCES "seller"("id"),
    "schedule" "PayoutSchedule" NOT NULL DEFAULT 'MONTHLY',
    "day_of_month" INTEGER NOT NULL DEFAULT 1,
    "day_of_week" INTEGER NOT NULL DEFAULT 1,
    "minimum_amount" BIGINT NOT NULL DEFAULT 1000,
    "reserve_amount" BIGINT NOT NULL DEFAULT 0,
    "psp_account_id" TEXT,
    "updated_at" TIMESTAMPTZ(6) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "payout_settings_pkey" PRIMARY KEY ("seller_id"),
    CONSTRAINT "payout_settings_day_of_month_check" CHECK ("day_of_month" BETWEEN 1 AND 28),
    CONSTRAINT "payout_settings_day_of_week_check" CHECK ("day_of_week" BETWEEN 0 AND 6),
    CONSTRAINT "payout_settings_minimum_check" CHECK ("minimum_amount" >= 0),
    CONSTRAINT "payout_settings_reserve_check" CHECK ("reserve_amount" >= 0)
);
CREATE UNIQUE INDEX "payout_settings_psp_account_id_key" ON "payout_settings"("psp_account_id");
CREATE INDEX "payout_settings_schedule_idx" ON "payout_settings"("schedule");

-- The approval policy: one row.
CREATE TABLE "payout_policy" (
    "id" INTEGER NOT NULL DEFAULT 1,
    "require_approval" BOOLEAN NOT NULL DEFAULT false,
    "approval_threshold" BIGINT,
    "updated_by" UUID,
    "updated_at" TIMESTAMPTZ(6) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "payout_policy_pkey" PRIMARY KEY ("id"),
    CONSTRAINT "payout_policy_single_row" CHECK ("id" = 1),
    CONSTRAINT "payout_policy_threshold_check" CHECK ("approval_threshold" IS NULL OR "approval_threshold" >= 0)
);
INSERT INTO "payout_policy" ("id", "require_approval", "approval_threshold") VALUES (1, false, 10000000);

CREATE TABLE "payout_run" (
    "id" UUID NOT NULL DEFAULT gen_random_uuid(),
    "status" "PayoutRunStatus" NOT NULL DEFAULT 'DRAFT',
    "trigger" TEXT NOT NULL,
    "period_key" TEXT,
    "as_of" TIMESTAMPTZ(6) NOT NULL,
    "currency" CHAR(3) NOT NULL,
    "requires_approval" BOOLEAN NOT NULL DEFAULT false,
    "approved_by" UUID REFERENCES "app_user"("id"),
    "approved_at" TIMESTAMPTZ(6),
    "created_by" UUID REFERENCES "app_user"("id"),
    "canceled_by" UUID REFERENCES "app_user"("id"),
    "payout_count" INTEGER NOT NULL DEFAULT 0,
    "total_amount" BIGINT NOT NULL DEFAULT 0,
    "below_minimum_count" INTEGER NOT NULL DEFAULT 0,
    "no_account_count" INTEGER NOT NULL DEFAULT 0,
    "created_at" TIMESTAMPTZ(6) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "finished_at" TIMESTAMPTZ(6),
    CONSTRAINT "payout_run_pkey" PRIMARY KEY ("id")
);
CREATE UNIQUE INDEX "payout_run_period_key_key" ON "payout_run"("period_key");
CREATE INDEX "payout_run_created_at_idx" ON "payout_run"("created_at");
CREATE INDEX "payout_run_status_idx" ON "payout_run"("status");

CREATE TABLE "payout" (
    "id" UUID NOT NULL DEFAULT gen_random_uuid(),
    "run_id" UUID NOT NULL REFERENCES "payout_run"("id"),
    "seller_id" UUID NOT NULL REFERENCES "seller"("id"),
    "attempt" INTEGER NOT NULL DEFAULT 1,
    "retry_of" UUID REFERENCES "payout"("id"),
    "amount" BIGINT NOT NULL,
    "currency" CHAR(3) NOT NULL,
    "status" "PayoutStatus" NOT NULL DEFAULT 'PENDING',
    "destination" TEXT NOT NULL,
    "psp_transfer_id" TEXT,
    "failure_reason" TEXT,
    "created_at" TIMESTAMPTZ(6) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(6) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "payout_pkey" PRIMARY KEY ("id"),
    CONSTRAINT "payout_amount_positive" CHECK ("amount" > 0),
    CONSTRAINT "payout_attempt_positive" CHECK ("attempt" >= 1)
);
-- One payout per seller per run (a retry is a new attempt of it) ...
CREATE UNIQUE INDEX "payout_run_id_seller_id_attempt_key" ON "payout"("run_id", "seller_id", "attempt");
-- ... and never two payouts of one seller in flight at once: a crash-resumed or concurrent
-- snapshot cannot pay a seller twice.
CREATE UNIQUE INDEX "payout_one_live_per_seller" ON "payout"("seller_id") WHERE "status" IN ('PENDING', 'PROCESSING');
-- A payout is retried at most once at a time.
CREATE UNIQUE INDEX "payout_retry_of_key" ON "payout"("retry_of");
CREATE UNIQUE INDEX "payout_psp_transfer_id_key" ON "payout"("psp_transfer_id");
CREATE INDEX "payout_run_id_status_idx" ON "payout"("run_id", "status");
CREATE INDEX "payout_seller_id_created_at_idx" ON "payout"("seller_id", "created_at");
CREATE INDEX "payout_status_updated_at_idx" ON "payout"("status", "updated_at");

CREATE TABLE "payout_transition" (
    "id" BIGSERIAL NOT NULL,
    "payout_id" UUID NOT NULL REFERENCES "payout"("id"),
    "from_status" "PayoutStatus",
    "to_status" "PayoutStatus" NOT NULL,
    "actor" TEXT NOT NULL,
    "reason" TEXT NOT NULL,
    "created_at" TIMESTAMPTZ(6) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "payout_transition_pkey" PRIMARY KEY ("id")
);
CREATE INDEX "payout_transition_payout_id_idx" ON "payout_transition"("payout_id");
