-- ledger_entry's references to its transaction and its account, checked once per INSERT
-- statement by a statement-level trigger instead of by two foreign keys. A foreign key
-- checks each new row with a query of its own (an executor started per row) and locks the
-- parent row, dirtying the hot system accounts' pages with a WAL record per entry. A statement
-- trigger looks every new entry's parents up in one query: batched postings ran ~23 % faster
-- against the machine's pgbench (docs/benchmarks.md).
--
-- The guarantee is the foreign keys': an entry is only ever written with both parents present,
-- and a parent never goes away or changes id afterwards. Transactions were already append-only
-- (20261205010000_ledger); accounts become undeletable and keep their ids (below). A parent
-- inserted by another, uncommitted transaction is not visible to the check, so it refuses the
-- entry, as the foreign key did.
ALTER TABLE "ledger_entry" DROP CONSTRAINT "ledger_entry_transaction_id_fkey";
ALTER TABLE "ledger_entry" DROP CONSTRAINT "ledger_entry_account_id_fkey";

-- A trigger of its own beside the balance check (ledger_entry_checked), reading the same
-- transition table: any orphan among the statement's rows refuses the whole statement.
CREATE FUNCTION ledger_entry_parents_exist() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  missing TEXT;
BEGIN
  SELECT CASE WHEN NOT EXISTS (SELECT 1 FROM ledger_transaction t WHERE t.id = n.transaction_id)
              THEN 'ledger transaction ' || n.transaction_id
              ELSE 'ledger account ' || n.account_id END
    INTO missing
    FROM new_entries n
   WHERE NOT EXISTS (SELECT 1 FROM ledger_transaction t WHERE t.id = n.transaction_id)
      OR NOT EXISTS (SELECT 1 FROM ledger_account a WHERE a.id = n.account_id)
   LIMIT 1;
  IF FOUND THEN
    RAISE EXCEPTION 'ledger entry refers to %, which does not exist', missing
      USING ERRCODE = 'foreign_key_violation';
  END IF;
  RETURN NULL;
END $$;
CREATE TRIGGER ledger_entry_parents_checked AFTER INSERT ON "ledger_entry"
  REFERENCING NEW TABLE AS new_entries
  FOR EACH STATEMENT EXECUTE FUNCTION ledger_entry_parents_exist();

-- Entries refer to accounts by id for ever: an account is never deleted nor renumbered.
CREATE FUNCTION ledger_account_kept() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'ledger accounts are never deleted nor renumbered: entries refer to them by id'
    USING ERRCODE = 'insufficient_privilege';
END $$;
CREATE TRIGGER ledger_account_kept BEFORE UPDATE OF "id" OR DELETE ON "ledger_account"
  FOR EACH ROW EXECUTE FUNCTION ledger_account_kept();
CREATE TRIGGER ledger_account_no_truncate BEFORE TRUNCATE ON "ledger_account"
  FOR EACH STATEMENT EXECUTE FUNCTION ledger_account_kept();
