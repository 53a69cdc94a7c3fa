-- Ledger: the same rules as 20261205010000_ledger (every transaction balances, has two entries
-- or more, posts in its own currency only, and has entries at all), checked once per INSERT
-- statement over all the rows it wrote instead of once per entry row at commit. The per-row
-- deferred triggers ran two queries per entry and one per transaction at every commit — more
-- than half the cost of a posting. See docs/ledger.md ("How the database checks postings").
--
-- How it stays a commit-time rule: after every INSERT into ledger_entry or ledger_transaction,
-- one statement-level trigger looks at the transactions that statement touched. Those that are
-- valid as they stand need nothing more: entries and transactions cannot be updated or deleted,
-- and any later insert into them runs the same check again. Those that are not valid yet (a
-- transaction row whose entries come in later statements, entries written one by one) are
-- queued in ledger_check_queue, whose deferred constraint trigger checks them again at commit
-- (or at SET CONSTRAINTS … IMMEDIATE) and raises the same errors as before.

-- Transactions to check again at commit. Empty outside a writing transaction: each queued row is
-- deleted by the check that consumes it (or rolled back with the failing transaction).
CREATE TABLE "ledger_check_queue" (
    "id" BIGSERIAL NOT NULL,
    "transaction_id" BIGINT NOT NULL,
    CONSTRAINT "ledger_check_queue_pkey" PRIMARY KEY ("id")
);

-- The full rule for one transaction, with the error messages of the original triggers.
CREATE FUNCTION ledger_assert_valid(tx_id BIGINT) RETURNS void LANGUAGE plpgsql AS $$
DECLARE
  debits NUMERIC;
  credits NUMERIC;
  entries INT;
  wrong_currency INT;
BEGIN
  SELECT coalesce(sum(e.amount) FILTER (WHERE e.direction = 'DEBIT'), 0),
         coalesce(sum(e.amount) FILTER (WHERE e.direction = 'CREDIT'), 0),
         count(e.id),
         count(*) FILTER (WHERE a.currency <> t.currency)
    INTO debits, credits, entries, wrong_currency
    FROM ledger_entry e
    JOIN ledger_account a ON a.id = e.account_id
    JOIN ledger_transaction t ON t.id = e.transaction_id
   WHERE e.transaction_id = tx_id;
  IF entries = 0 THEN
    RAISE EXCEPTION 'ledger transaction % has no entries', tx_id USING ERRCODE = 'check_violation';
  END IF;
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
END $$;

-- Deferred: a queued transaction is checked as it stands at commit. The event fires even if the
-- queue row was deleted meanwhile, so emptying the queue cannot skip a check.
CREATE FUNCTION ledger_check_queued() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM ledger_assert_valid(NEW.transaction_id);
  DELETE FROM ledger_check_queue WHERE id = NEW.id;
  RETURN NULL;
END $$;
CREATE CONSTRAINT TRIGGER ledger_check_queue_at_commit AFTER INSERT ON "ledger_check_queue"
  DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION ledger_check_queued();

-- After each INSERT of entries (plain, INSERT … SELECT, a data-modifying CTE or COPY): every
-- transaction it touched that is not valid as it stands now is queued for the commit check.
CREATE FUNCTION ledger_entries_inserted() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO ledger_check_queue (transaction_id)
  SELECT c.transaction_id
    FROM (SELECT e.transaction_id,
                 sum(CASE WHEN e.direction = 'DEBIT' THEN e.amount ELSE -e.amount END) AS net,
                 count(*) AS entries,
                 count(*) FILTER (WHERE a.currency <> t.currency) AS wrong_currency
            FROM ledger_entry e
            JOIN ledger_account a ON a.id = e.account_id
            JOIN ledger_transaction t ON t.id = e.transaction_id
           WHERE e.transaction_id IN (SELECT DISTINCT n.transaction_id FROM new_entries n)
           GROUP BY e.transaction_id) c
   WHERE c.net <> 0 OR c.entries < 2 OR c.wrong_currency > 0;
  RETURN NULL;
END $$;
CREATE TRIGGER ledger_entry_checked AFTER INSERT ON "ledger_entry"
  REFERENCING NEW TABLE AS new_entries
  FOR EACH STATEMENT EXECUTE FUNCTION ledger_entries_inserted();

-- After each INSERT of transactions: those without entries yet (the entries may follow in later
-- statements) are queued for the commit check, which refuses them if they are still empty.
CREATE FUNCTION ledger_transactions_inserted() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO ledger_check_queue (transaction_id)
  SELECT n.id FROM new_transactions n
   WHERE NOT EXISTS (SELECT 1 FROM ledger_entry e WHERE e.transaction_id = n.id);
  RETURN NULL;
END $$;
CREATE TRIGGER ledger_transaction_checked AFTER INSERT ON "ledger_transaction"
  REFERENCING NEW TABLE AS new_transactions
  FOR EACH STATEMENT EXECUTE FUNCTION ledger_transactions_inserted();

-- The per-row deferred checks they replace.
DROP TRIGGER ledger_entry_balanced ON "ledger_entry";
DROP TRIGGER ledger_transaction_has_entries ON "ledger_transaction";
DROP FUNCTION ledger_check_transaction();
DROP FUNCTION ledger_check_has_entries();

-- One posting in one call (postTransaction): the plans of its statements are prepared once per
-- connection, and a posting made with the plain client is a single-statement database
-- transaction. The caller has validated the input and computed the input hash and the wallet
-- deltas (sorted by seller); the rules above still check what is written.
-- outcome: 'created' (the new row), 'existing' (the row already stored under (kind, reference)),
-- 'unknown_account' (with the codes; nothing written), 'mixed_currency' (nothing written).
-- Generic plans: with array parameters PostgreSQL would otherwise plan every statement afresh on
-- every call (the estimate of unnest($array) differs), which cost more than running them.
CREATE FUNCTION ledger_post(
  p_kind TEXT, p_reference TEXT, p_currency TEXT, p_description TEXT, p_input_hash TEXT,
  p_accounts TEXT[], p_directions "EntryDirection"[], p_amounts BIGINT[],
  p_wallet_sellers UUID[], p_wallet_pending BIGINT[], p_wallet_available BIGINT[]
) RETURNS TABLE (outcome TEXT, id BIGINT, kind TEXT, reference TEXT, currency TEXT, description TEXT,
                 input_hash TEXT, created_at TIMESTAMPTZ, unknown TEXT[])
LANGUAGE plpgsql SET plan_cache_mode = force_generic_plan AS $$
#variable_conflict use_column
DECLARE
  v_row ledger_transaction%ROWTYPE;
  v_updated INT;
  v_unknown TEXT[];
  v_mixed BOOLEAN;
BEGIN
  -- Several sellers: lock their wallet rows in seller order first, as batches do, so postings
  -- never deadlock. (One seller, the usual case, needs no order.)
  IF cardinality(p_wallet_sellers) > 1 THEN
    PERFORM 1 FROM wallet w
      WHERE w.seller_id = ANY (p_wallet_sellers) AND w.currency = p_currency::bpchar
      ORDER BY w.seller_id FOR UPDATE;
  END IF;

  -- The usual case in one statement: the transaction if every account exists in its currency
  -- (else nothing is written), its entries (so the statement-level check sees them together and
  -- queues nothing), and the wallets. A wallet CHECK violation aborts all of it.
  WITH account AS (
    SELECT c.ord, a.id
      FROM unnest(p_accounts) WITH ORDINALITY AS c(code, ord)
      JOIN ledger_account a ON a.code = c.code AND a.currency = p_currency::bpchar
  ), t AS (
    INSERT INTO ledger_transaction (kind, reference, currency, description, input_hash)
    SELECT p_kind, p_reference, p_currency, p_description, p_input_hash
     WHERE (SELECT count(*) FROM account) = cardinality(p_accounts)
    ON CONFLICT (kind, reference) DO NOTHING
    RETURNING *
  ), e AS (
    INSERT INTO ledger_entry (transaction_id, account_id, direction, amount)
    SELECT t.id, a.id, x.direction, x.amount
      FROM t, unnest(p_directions, p_amounts) WITH ORDINALITY AS x(direction, amount, ord)
      JOIN account a ON a.ord = x.ord
     ORDER BY x.ord
  ), w AS (
    UPDATE wallet w
       SET pending = w.pending + d.pending, available = w.available + d.available, updated_at = now()
      FROM unnest(p_wallet_sellers, p_wallet_pending, p_wallet_available) AS d(seller_id, pending, available), t
     WHERE w.seller_id = d.seller_id AND w.currency = p_currency::bpchar
    RETURNING 1
  )
  SELECT t.*, (SELECT count(*) FROM w)::int INTO v_row.id, v_row.kind, v_row.reference, v_row.currency,
         v_row.description, v_row.input_hash, v_row.created_at, v_updated
    FROM t;

  IF v_row.id IS NOT NULL THEN
    -- A seller account without its wallet row would break "wallet = ledger": refuse the posting.
    IF v_updated <> cardinality(p_wallet_sellers) THEN
      RAISE EXCEPTION 'A seller wallet is missing; create it with ensureSellerAccounts'
        USING ERRCODE = 'foreign_key_violation';
    END IF;
    RETURN QUERY SELECT 'created'::text, v_row.id, v_row.kind, v_row.reference, v_row.currency::text,
                        v_row.description, v_row.input_hash, v_row.created_at, NULL::text[];
    RETURN;
  END IF;

  -- Nothing written: say why. Unknown accounts, accounts in another currency, or a key posted
  -- before (maybe by a concurrent transaction that has just committed: in READ COMMITTED this new
  -- statement sees it; the caller tells a replay from a conflict by the hash).
  SELECT array_agg(c.code ORDER BY c.ord) FILTER (WHERE a.id IS NULL),
         coalesce(bool_or(a.currency::text <> p_currency), false)
    INTO v_unknown, v_mixed
    FROM unnest(p_accounts) WITH ORDINALITY AS c(code, ord)
    LEFT JOIN ledger_account a ON a.code = c.code;
  IF v_unknown IS NOT NULL THEN
    RETURN QUERY SELECT 'unknown_account'::text, NULL::bigint, NULL::text, NULL::text, NULL::text,
                        NULL::text, NULL::text, NULL::timestamptz, v_unknown;
    RETURN;
  END IF;
  IF v_mixed THEN
    RETURN QUERY SELECT 'mixed_currency'::text, NULL::bigint, NULL::text, NULL::text, NULL::text,
                        NULL::text, NULL::text, NULL::timestamptz, NULL::text[];
    RETURN;
  END IF;
  RETURN QUERY SELECT 'existing'::text, l.id, l.kind, l.reference, l.currency::text, l.description,
                      l.input_hash, l.created_at, NULL::text[]
                 FROM ledger_transaction l WHERE l.kind = p_kind AND l.reference = p_reference;
END $$;
