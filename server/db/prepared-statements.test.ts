// The hot statements are prepared by name, so PostgreSQL may run them on one generic plan that
// knows neither the parameters' values nor their arrays' lengths. Each such plan must still reach
// the tables through their indexes: a parameter typed differently from its column (text against
// uuid, say) would silently turn every batch into a full scan.
import { describe, expect, it } from "vitest";
import { registeredStatements } from "@/server/db";
import { createTestDatabase } from "@/server/test/database";
// The modules that register the hot statements.
import "@/server/ledger/post-transaction";
import "@/server/payin/record-outcome";
import "@/server/payin/start-psp-session";
import "@/server/payin/state-machine";
import "@/server/payin/store-checkouts";
import "@/server/payin/webhooks";

const { sql } = await createTestDatabase();

const parameterCount = (text: string) =>
  Math.max(0, ...[...text.matchAll(/\$(\d+)/g)].map((m) => Number(m[1])));

describe("prepared statements", () => {
  const statements = [...registeredStatements()];

  it("registers the pay-in path's hot statements", () => {
    expect(statements.map(([name]) => name)).toEqual(
      expect.arrayContaining([
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

  it.each(statements)("%s: the generic plan reaches every table by an index", async (name, text) => {
    const client = await sql.connect();
    try {
      // Tiny test tables favour sequential scans; with them off, a scan left in the plan is one
      // no index can serve.
      await client.query("SET plan_cache_mode = force_generic_plan");
      await client.query("SET enable_seqscan = off");
      await client.query(`PREPARE ${name} AS ${text}`);
      const nulls = Array.from({ length: parameterCount(text) }, () => "NULL").join(", ");
      const { rows } = await client.query(`EXPLAIN EXECUTE ${name}${nulls ? `(${nulls})` : ""}`);
      const plan = rows.map((row) => row["QUERY PLAN"] as string).join("\n");
      expect(plan).not.toMatch(/Seq Scan/);
    } finally {
      client.release(true); // the session's settings and prepared statement go with it
    }
  });
});
