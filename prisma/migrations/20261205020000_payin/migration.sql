-- Pay-in: payment events (checkouts), payment orders (one per seller), their transitions,
-- refunds, and the PSP webhook inbox.
CREATE TYPE "PaymentEventStatus" AS ENUM ('IN_REVIEW', 'BLOCKED', 'REJECTED', 'EXECUTING', 'SUCCEEDED', 'FAILED');
CREATE TYPE "PaymentOrderStatus" AS ENUM ('NOT_STARTED', 'EXECUTING', 'SUCCESS', 'FAILED');
CREATE TYPE "RefundStatus" AS ENUM ('PENDING', 'SUCCEEDED', 'FAILED');

CREATE TABLE "payment_event" (
    "id" UUID NOT NULL,
    "buyer_id" UUID NOT NULL REFERENCES "app_user"("id"),
    "idempotency_key" TEXT NOT NULL,
    "request_hash" TEXT NOT NULL,
    "currency" CHAR(3) NOT NULL,
    "total_amount" BIGINT NOT NULL CHECK ("total_amount" > 0),
    "status" "PaymentEventStatus" NOT NULL,
    "risk_decision" TEXT NOT NULL,
    "risk_reasons" TEXT[] NOT NULL DEFAULT ARRAY[]::TEXT[],
    "attempt" INTEGER NOT NULL DEFAULT 1,
    "psp_session_id" TEXT,
    "psp_session_url" TEXT,
    "psp_payment_intent_id" TEXT,
    "psp_charge_id" TEXT,
    "failure_code" TEXT,
    "failure_message" TEXT,
    "is_payment_done" BOOLEAN NOT NULL DEFAULT false,
    "reviewed_by" UUID REFERENCES "app_user"("id"),
    "reviewed_at" TIMESTAMPTZ(6),
    "review_note" TEXT,
    "created_at" TIMESTAMPTZ(6) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(6) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "payment_event_pkey" PRIMARY KEY ("id")
);
CREATE UNIQUE INDEX "payment_event_psp_session_id_key" ON "payment_event"("psp_session_id");
CREATE UNIQUE INDEX "payment_event_buyer_id_idempotency_key_key" ON "payment_event"("buyer_id", "idempotency_key");
CREATE INDEX "payment_event_status_updated_at_idx" ON "payment_event"("status", "updated_at");
CREATE INDEX "payment_event_buyer_id_created_at_idx" ON "payment_event"("buyer_id", "created_at");
CREATE INDEX "payment_event_psp_charge_id_idx" ON "payment_event"("psp_charge_id");

CREATE TABLE "payment_order" (
    "id" UUID NOT NULL,
    "payment_event_id" UUID NOT NULL,
    "seller_id" UUID NOT NULL REFERENCES "seller"("id"),
    "amount" BIGINT NOT NULL CHECK ("amount" > 0),
    "commission" BIGINT NOT NULL CHECK ("commission" >= 0),
    "currency" CHAR(3) NOT NULL,
    "items" JSONB NOT NULL,
    "status" "PaymentOrderStatus" NOT NULL DEFAULT 'NOT_STARTED',
    "ledger_updated" BOOLEAN NOT NULL DEFAULT false,
    "wallet_updated" BOOLEAN NOT NULL DEFAULT false,
    "refunded_amount" BIGINT NOT NULL DEFAULT 0,
    "released_at" TIMESTAMPTZ(6),
    "failure_reason" TEXT,
    "created_at" TIMESTAMPTZ(6) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(6) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "payment_order_pkey" PRIMARY KEY ("id"),
    CONSTRAINT "payment_order_commission_le_amount" CHECK ("commission" <= "amount"),
    CONSTRAINT "payment_order_refunded_amount_check" CHECK ("refunded_amount" BETWEEN 0 AND "amount"),
    -- posted to the ledger if and only if it succeeded
    CONSTRAINT "payment_order_posted_check" CHECK (("status" = 'SUCCESS') = "ledger_updated" AND "ledger_updated" = "wallet_updated")
);
CREATE INDEX "payment_order_payment_event_id_idx" ON "payment_order"("payment_event_id");
CREATE INDEX "payment_order_seller_id_created_at_idx" ON "payment_order"("seller_id", "created_at");
CREATE INDEX "payment_order_status_updated_at_idx" ON "payment_order"("status", "updated_at");
ALTER TABLE "payment_order" ADD CONSTRAINT "payment_order_payment_event_id_fkey" FOREIGN KEY ("payment_event_id") REFERENCES "payment_event"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

CREATE TABLE "payment_order_transition" (
    "id" BIGSERIAL NOT NULL,
    "payment_order_id" UUID NOT NULL,
    "from_status" "PaymentOrderStatus",
    "to_status" "PaymentOrderStatus" NOT NULL,
    "actor" TEXT NOT NULL,
    "reason" TEXT NOT NULL,
    "created_at" TIMESTAMPTZ(6) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "payment_order_transition_pkey" PRIMARY KEY ("id")
);
CREATE INDEX "payment_order_transition_payment_order_id_idx" ON "payment_order_transition"("payment_order_id");
ALTER TABLE "payment_order_transition" ADD CONSTRAINT "payment_order_transition_payment_order_id_fkey" FOREIGN KEY ("payment_order_id") REFERENCES "payment_order"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

CREATE TABLE "refund" (
    "id" UUID NOT NULL,
    "payment_order_id" UUID NOT NULL,
    "amount" BIGINT NOT NULL CHECK ("amount" > 0),
    "commission" BIGINT NOT NULL CHECK ("commission" >= 0),
    "currency" CHAR(3) NOT NULL,
    "status" "RefundStatus" NOT NULL DEFAULT 'PENDING',
    "seller_account" TEXT NOT NULL,
    "idempotency_key" TEXT NOT NULL,
    "requested_by" UUID NOT NULL REFERENCES "app_user"("id"),
    "reason" TEXT NOT NULL,
    "psp_refund_id" TEXT,
    "failure_reason" TEXT,
    "created_at" TIMESTAMPTZ(6) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(6) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "refund_pkey" PRIMARY KEY ("id")
);
CREATE UNIQUE INDEX "refund_idempotency_key_key" ON "refund"("idempotency_key");
CREATE UNIQUE INDEX "refund_psp_refund_id_key" ON "refund"("psp_refund_id");
CREATE INDEX "refund_payment_order_id_idx" ON "refund"("payment_order_id");
CREATE INDEX "refund_status_updated_at_idx" ON "refund"("status", "updated_at");
ALTER TABLE "refund" ADD CONSTRAINT "refund_payment_order_id_fkey" FOREIGN KEY ("payment_order_id") REFERENCES "payment_order"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

CREATE TABLE "psp_webhook_event" (
    "id" TEXT NOT NULL,
    "type" TEXT NOT NULL,
    "payload" JSONB NOT NULL,
    "received_at" TIMESTAMPTZ(6) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "processed_at" TIMESTAMPTZ(6),
    CONSTRAINT "psp_webhook_event_pkey" PRIMARY KEY ("id")
);
