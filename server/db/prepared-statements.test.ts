// The hot statements are prepared by name, so PostgreSQL may run them on one generic plan that
// knows neither the parameters' values nor their arrays' lengths. On tables of a realistic size,
// with statistics as autovacuum keeps them, each such plan must reach the large tables through
// their indexes: a scan of every order per batch would make each checkout cost more as the
// business grows (a parameter typed unlike its column, text against uuid say, does that too).
import { describe, expect, it } from "vitest";
import { registeredStatements } from "@/server/db";
import { createTestDatabase } from "@/server/test/database";
// The modules that register the hot statements.
import "@/server/auth/session";
import "@/server/ledger/post-transaction";
import "@/server/payin/record-outcome";
import "@/server/payin/start-psp-session";
import "@/server/payin/state-machine";
import "@/server/payin/store-checkouts";
import "@/server/payin/webhooks";

const { sql } = await createTestDatabase();
const LARGE_TABLES = [
  "session",
  "app_user",
  "payment_event",
  "payment_order",
  "payment_order_transition",
  "psp_webhook_event",
  "ledger_transaction",
  "ledger_entry",
];

// 5,000 buyers with 20,000 sessions; 5,000 paid two-seller checkouts with their postings and
// webhook events; then ANALYZE.
await sql.query(`
  BEGIN;
  INSERT INTO app_user (id, email, name, password_hash, role)
  SELECT md5('b' || k)::uuid, 'buyer' || k || '@plans', 'Buyer', 'x', 'BUYER' FROM generate_series(1, 5000) k;
  INSERT INTO app_user (id, email, name, password_hash, role)
  VALUES ('00000000-0000-4000-8000-000000000002', 'seller@plans', 'Seller', 'x', 'SELLER');
  INSERT INTO session (id, user_id, expires_at)
  SELECT md5('s' || k), md5('b' || (k % 5000 + 1))::uuid, now() + interval '1 day'
    FROM generate_series(1, 20000) k;
  INSERT INTO seller (id, user_id, name)
  VALUES ('00000000-0000-4000-8000-000000000003', '00000000-0000-4000-8000-000000000002', 'Seller');
  INSERT INTO payment_event (id, buyer_id, idempotency_key, request_hash, currency, total_amount,
                             status, risk_decision, risk_reasons, psp_session_id, psp_payment_intent_id,
                             psp_charge_id)
  SELECT md5('e' || n)::uuid, md5('b' || (n % 5000 + 1))::uuid, 'key-' || n, 'h', 'USD', 2000,
         'SUCCEEDED', 'ALLOW', '{}', 'cs_' || n, 'pi_' || n, 'ch_' || n
    FROM generate_series(1, 5000) n;
  INSERT INTO payment_order (id, payment_event_id, seller_id, amount, commission, currency, items, status,
                             ledger_updated, wallet_updated)
  SELECT md5('o' || n || s)::uuid, md5('e' || n)::uuid, '00000000-0000-4000-8000-000000000003', 1000,
         100, 'USD', '[]', 'SUCCESS', true, true
    FROM generate_series(1, 5000) n, generate_series(1, 2) s;
  INSERT INTO payment_order_transition (payment_order_id, from_status, to_status, actor, reason)
  SELECT id, 'EXECUTING', 'SUCCESS', 'plans', 'paid' FROM payment_order;
  INSERT INTO psp_webhook_event (id, type, payload, processed_at)
  SELECT 'evt_' || n, 'payment_intent.succeeded', '{}', now() FROM generate_series(1, 5000) n;
  INSERT INTO ledger_account (code, type, currency) VALUES ('plans_a', 'ASSET', 'USD'), ('plans_b', 'LIABILITY', 'USD');
  INSERT INTO ledger_transaction (kind, reference, currency, input_hash)
  SELECT 'payin', 'order-' || n, 'USD', 'h' FROM generate_series(1, 5000) n;
  INSERT INTO ledger_entry (transaction_id, account_id, direction, amount)
  SELECT t.id, a.id, CASE a.code WHEN 'plans_a' THEN 'DEBIT' ELSE 'CREDIT' END::"EntryDirection", 1000
    FROM ledger_transaction t CROSS JOIN ledger_account a WHERE a.code LIKE 'plans_%';
  COMMIT;
  ANALYZE;
`);

const parameterCount = (text: string) =>
  Math.max(0, ...[...text.matchAll(/\$(\d+)/g)].map((m) => Number(m[1])));

describe("prepared statements", () => {
  const statements = [...registeredStatements()];

  it("registers the pay-in path's hot statements", () => {
    expect(statements.map(([name]) => name)).toEqual(
      expect.arrayContaining([
        "session_users",
        "checkout_insert_batch",
        "checkout_read_batch",
        "payin_record_sessions",
        "webhook_store_batch",
        "webhook_mark_processed",
        "payin_succeed_batch",
        "payin_transition_orders",
        "ledger_post",
        "ledger_accounts_by_code",
        "ledger_post_batch",
        "wallet_move_batch",
      ]),
    );
  });

  it.each(statements)("%s: the generic plan reaches the large tables by index", async (name, text) => {
    const client = await sql.connect();
    try {
      await client.query("SET plan_cache_mode = force_generic_plan");
      await client.query(`PREPARE ${name} AS ${text}`);
      const nulls = Array.from({ length: parameterCount(text) }, () => "NULL").join(", ");
      const { rows } = await client.query(`EXPLAIN EXECUTE ${name}${nulls ? `(${nulls})` : ""}`);
      const plan = rows.map((row) => row["QUERY PLAN"] as string).join("\n");
      for (const table of LARGE_TABLES) expect(plan).not.toMatch(new RegExp(`Seq Scan on ${table}\\b`));
    } finally {
      client.release(true); // the session's setting and prepared statement go with it
    }
  });

  // Indexed only where set (the migration 20261206080000): a lookup by a value must still use it.
  it.each([
    ["psp_session_id", "payment_event_psp_session_id_key"],
    ["psp_payment_intent_id", "payment_event_psp_payment_intent_id_idx"],
    ["psp_charge_id", "payment_event_psp_charge_id_idx"],
  ])("a checkout is found by its %s through the partial index", async (column, index) => {
    const { rows: definition } = await sql.query(`SELECT indexdef FROM pg_indexes WHERE indexname = $1`, [
      index,
    ]);
    expect(definition[0]?.indexdef).toContain(`WHERE (${column} IS NOT NULL)`);
    const client = await sql.connect();
    try {
      await client.query("SET plan_cache_mode = force_generic_plan");
      await client.query(`PREPARE by_psp_id AS SELECT id FROM payment_event WHERE ${column} = $1`);
      const { rows } = await client.query("EXPLAIN EXECUTE by_psp_id('x')");
      expect(rows.map((row) => row["QUERY PLAN"] as string).join("\n")).toContain(index);
    } finally {
      client.release(true);
    }
  });
});
