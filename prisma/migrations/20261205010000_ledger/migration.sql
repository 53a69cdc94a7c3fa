-- Ledger: an append-only double-entry journal the database itself keeps honest, and the wallet,
-- a materialized view of each seller's two accounts updated in the same transaction.
CREATE TYPE "AccountType" AS ENUM ('ASSET', 'LIABILITY', 'REVENUE', 'EXPENSE');
CREATE TYPE "EntryDirection" AS ENUM ('DEBIT', 'CREDIT');

CREATE TABLE "ledger_account" (
    "id" BIGSERIAL NOT NULL,
    "code" TEXT NOT NULL,
    "type" "AccountType" NOT NULL,
    "currency" CHAR(3) NOT NULL,
    "seller_id" UUID REFERENCES "seller"("id"),
    "created_at" TIMESTAMPTZ(6) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "ledger_account_pkey" PRIMARY KEY ("id")
);
CREATE UNIQUE INDEX "ledger_account_code_key" ON "ledger_account"("code");
CREATE INDEX "ledger_account_seller_id_idx" ON "ledger_account"("seller_id");

CREATE TABLE "ledger_transaction" (
    "id" BIGSERIAL NOT NULL,
    "kind" TEXT NOT NULL,
    "reference" TEXT NOT NULL,
    "currency" CHAR(3) NOT NULL,
    "description" TEXT NOT NULL DEFAULT '',
    "input_hash" TEXT NOT NULL,
    "created_at" TIMESTAMPTZ(6) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "ledger_transaction_pkey" PRIMARY KEY ("id")
);
CREATE UNIQUE INDEX "ledger_transaction_kind_reference_key" ON "ledger_transaction"("kind", "reference");
CREATE INDEX "ledger_transaction_reference_idx" ON "ledger_transaction"("reference");
CREATE INDEX "ledger_transaction_created_at_idx" ON "ledger_transaction"("created_at");

CREATE TABLE "ledger_entry" (
    "id" BIGSERIAL NOT NULL,
    "transaction_id" BIGINT NOT NULL REFERENCES "ledger_transaction"("id"),
    "account_id" BIGINT NOT NULL REFERENCES "ledger_account"("id"),
    "direction" "EntryDirection" NOT NULL,
    "amount" BIGINT NOT NULL,
    "created_at" TIMESTAMPTZ(6) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    -- the writing transaction's id (xid8, which never wraps, as bigint): checkpoints seal by it
    "tx_xid" BIGINT NOT NULL DEFAULT (pg_current_xact_id()::text::bigint),
    CONSTRAINT "ledger_entry_pkey" PRIMARY KEY ("id"),
    CONSTRAINT "ledger_entry_amount_positive" CHECK ("amount" > 0)
);
CREATE INDEX "ledger_entry_transaction_id_idx" ON "ledger_entry"("transaction_id");
CREATE INDEX "ledger_entry_account_id_id_idx" ON "ledger_entry"("account_id", "id");
CREATE INDEX "ledger_entry_account_id_created_at_idx" ON "ledger_entry"("account_id", "created_at");
CREATE INDEX "ledger_entry_account_id_tx_xid_idx" ON "ledger_entry"("account_id", "tx_xid");

CREATE TABLE "wallet" (
    "seller_id" UUID NOT NULL REFERENCES "seller"("id"),
    "currency" CHAR(3) NOT NULL,
    "pending" BIGINT NOT NULL DEFAULT 0,
    "available" BIGINT NOT NULL DEFAULT 0,
    "updated_at" TIMESTAMPTZ(6) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "wallet_pkey" PRIMARY KEY ("seller_id", "currency"),
    CONSTRAINT "wallet_pending_not_negative" CHECK ("pending" >= 0),
    CONSTRAINT "wallet_available_not_negative" CHECK ("available" >= 0)
);

-- Sealed totals of the system accounts (psp_clearing, commission_revenue, … touched by every
-- posting) for every entry written by a transaction id below `as_of_xid`, a horizon below which
-- no transaction is still open. A balance is the checkpoint plus the entries at or above it, so
-- hot accounts never serialize postings on a balance row. See docs/ledger.md.
CREATE TABLE "ledger_balance_checkpoint" (
    "account_id" BIGINT NOT NULL REFERENCES "ledger_account"("id"),
    "as_of_xid" BIGINT NOT NULL,
    "debits" BIGINT NOT NULL,
    "credits" BIGINT NOT NULL,
    "sealed_at" TIMESTAMPTZ(6) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "ledger_balance_checkpoint_pkey" PRIMARY KEY ("account_id")
);

-- Every transaction balances, has two entries or more, and posts in its own currency only.
-- Deferred to commit, so the entries of one transaction may be inserted one by one.
CREATE FUNCTION ledger_check_transaction() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  tx_id BIGINT := NEW.transaction_id;
  debits NUMERIC;
  credits NUMERIC;
  entries INT;
  wrong_currency INT;
BEGIN
  SELECT coalesce(sum(amount) FILTER (WHERE direction = 'DEBIT'), 0),
         coalesce(sum(amount) FILTER (WHERE direction = 'CREDIT'), 0),
         count(*)
    INTO debits, credits, entries
    FROM ledger_entry WHERE transaction_id = tx_id;
  SELECT count(*) INTO wrong_currency
    FROM ledger_entry e
    JOIN ledger_account a ON a.id = e.account_id
    JOIN ledger_transaction t ON t.id = e.transaction_id
   WHERE e.transaction_id = tx_id AND a.currency <> t.currency;
  IF entries < 2 THEN
    RAISE EXCEPTION 'ledger transaction % has % entries; at least 2 are required', tx_id, entries
      USING ERRCODE = 'check_violation';
  END IF;
  IF debits <> credits THEN
    RAISE EXCEPTION 'ledger transaction % is unbalanced: debits % <> credits %', tx_id, debits, credits
      USING ERRCODE = 'check_violation';
  END IF;
  IF wrong_currency > 0 THEN
    RAISE EXCEPTION 'ledger transaction % posts to an account in another currency', tx_id
      USING ERRCODE = 'check_violation';
  END IF;
  RETURN NULL;
END $$;
CREATE CONSTRAINT TRIGGER ledger_entry_balanced AFTER INSERT ON "ledger_entry"
  DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION ledger_check_transaction();

-- A transaction without entries is caught too.
CREATE FUNCTION ledger_check_has_entries() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF NOT EXISTS (SELECT 1 FROM ledger_entry WHERE transaction_id = NEW.id) THEN
    RAISE EXCEPTION 'ledger transaction % has no entries', NEW.id USING ERRCODE = 'check_violation';
  END IF;
  RETURN NULL;
END $$;
CREATE CONSTRAINT TRIGGER ledger_transaction_has_entries AFTER INSERT ON "ledger_transaction"
  DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION ledger_check_has_entries();

CREATE FUNCTION ledger_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION '% is append-only: corrections are new transactions', TG_TABLE_NAME
    USING ERRCODE = 'insufficient_privilege';
END $$;
CREATE TRIGGER ledger_entry_no_change BEFORE UPDATE OR DELETE ON "ledger_entry"
  FOR EACH ROW EXECUTE FUNCTION ledger_append_only();
CREATE TRIGGER ledger_entry_no_truncate BEFORE TRUNCATE ON "ledger_entry"
  FOR EACH STATEMENT EXECUTE FUNCTION ledger_append_only();
CREATE TRIGGER ledger_transaction_no_change BEFORE UPDATE OR DELETE ON "ledger_transaction"
  FOR EACH ROW EXECUTE FUNCTION ledger_append_only();
CREATE TRIGGER ledger_transaction_no_truncate BEFORE TRUNCATE ON "ledger_transaction"
  FOR EACH STATEMENT EXECUTE FUNCTION ledger_append_only();

-- The chart of accounts' system accounts, in the deployment currency (USD by default).
INSERT INTO "ledger_account" ("code", "type", "currency") VALUES
  ('psp_clearing', 'ASSET', 'usd'),
  ('platform_bank', 'ASSET', 'usd'),
  ('payouts_in_transit', 'ASSET', 'usd'),
  ('commission_revenue', 'REVENUE', 'usd'),
  ('psp_fee_expense', 'EXPENSE', 'usd'),
  ('settlement_adjustments', 'EXPENSE', 'usd');
