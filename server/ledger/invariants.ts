// The ledger's invariants, checked with SQL over the whole book: every transaction balanced with
// two entries or more, the trial balance zero, wallet = ledger for every seller, no negative wallet,
// and every balance checkpoint equal to the entries it seals.
import type { DbOrTx } from "@/server/db";

export interface InvariantViolation {
  invariant: string;
  detail: string;
}

export async function checkLedgerInvariants(
  db: DbOrTx,
): Promise<{ ok: boolean; violations: InvariantViolation[] }> {
  const violations: InvariantViolation[] = [];
  const unbalanced = await db.$queryRawUnsafe<
    { id: bigint; debits: bigint; credits: bigint; entries: bigint }[]
  >(`
    SELECT t.id,
           coalesce(sum(e.amount) FILTER (WHERE e.direction = 'DEBIT'), 0)::bigint AS debits,
           coalesce(sum(e.amount) FILTER (WHERE e.direction = 'CREDIT'), 0)::bigint AS credits,
           count(e.id) AS entries
      FROM ledger_transaction t LEFT JOIN ledger_entry e ON e.transaction_id = t.id
     GROUP BY t.id
    HAVING count(e.id) < 2
        OR coalesce(sum(e.amount) FILTER (WHERE e.direction = 'DEBIT'), 0)
        <> coalesce(sum(e.amount) FILTER (WHERE e.direction = 'CREDIT'), 0)
     LIMIT 100`);
  for (const row of unbalanced) {
    violations.push({
      invariant: "balanced transactions",
      detail: `transaction ${row.id}: ${row.entries} entries, debits ${row.debits}, credits ${row.credits}`,
    });
  }
  const [trial] = await db.$queryRawUnsafe<{ debits: bigint; credits: bigint }[]>(`
    SELECT coalesce(sum(amount) FILTER (WHERE direction = 'DEBIT'), 0)::bigint AS debits,
           coalesce(sum(amount) FILTER (WHERE direction = 'CREDIT'), 0)::bigint AS credits
      FROM ledger_entry`);
  if (trial && trial.debits !== trial.credits) {
    violations.push({
      invariant: "trial balance zero",
      detail: `debits ${trial.debits} <> credits ${trial.credits}`,
    });
  }
  const mismatched = await db.$queryRawUnsafe<
    {
      seller_id: string;
      pending: bigint;
      available: bigint;
      ledger_pending: bigint;
      ledger_available: bigint;
    }[]
  >(`
    WITH ledger AS (
      SELECT a.seller_id, a.currency,
             coalesce(sum(CASE WHEN e.direction = 'CREDIT' THEN e.amount ELSE -e.amount END)
                      FILTER (WHERE a.code LIKE 'seller_pending:%'), 0)::bigint AS pending,
             coalesce(sum(CASE WHEN e.direction = 'CREDIT' THEN e.amount ELSE -e.amount END)
                      FILTER (WHERE a.code LIKE 'seller_available:%'), 0)::bigint AS available
        FROM ledger_account a LEFT JOIN ledger_entry e ON e.account_id = a.id
       WHERE a.seller_id IS NOT NULL
       GROUP BY a.seller_id, a.currency)
    SELECT coalesce(w.seller_id, l.seller_id)::text AS seller_id,
           coalesce(w.pending, 0) AS pending, coalesce(w.available, 0) AS available,
           coalesce(l.pending, 0) AS ledger_pending, coalesce(l.available, 0) AS ledger_available
      FROM wallet w FULL JOIN ledger l ON l.seller_id = w.seller_id AND l.currency = w.currency
     WHERE coalesce(w.pending, 0) <> coalesce(l.pending, 0) OR coalesce(w.available, 0) <> coalesce(l.available, 0)
     LIMIT 100`);
  for (const row of mismatched) {
    violations.push({
      invariant: "wallet = ledger",
      detail: `seller ${row.seller_id}: wallet ${row.pending}/${row.available}, ledger ${row.ledger_pending}/${row.ledger_available}`,
    });
  }
  const negative = await db.$queryRawUnsafe<{ seller_id: string; pending: bigint; available: bigint }[]>(
    `SELECT seller_id::text, pending, available FROM wallet WHERE pending < 0 OR available < 0 LIMIT 100`,
  );
  for (const row of negative) {
    violations.push({
      invariant: "no negative wallet",
      detail: `seller ${row.seller_id}: ${row.pending}/${row.available}`,
    });
  }
  // A sealed checkpoint must equal the entries below its horizon, or every balance built on it is off.
  const drifted = await db.$queryRawUnsafe<
    { code: string; debits: bigint; credits: bigint; entry_debits: bigint; entry_credits: bigint }[]
  >(`
    SELECT a.code, c.debits, c.credits, x.debits AS entry_debits, x.credits AS entry_credits
      FROM ledger_balance_checkpoint c
      JOIN ledger_account a ON a.id = c.account_id
      CROSS JOIN LATERAL (
        SELECT coalesce(sum(e.amount) FILTER (WHERE e.direction = 'DEBIT'), 0)::bigint AS debits,
               coalesce(sum(e.amount) FILTER (WHERE e.direction = 'CREDIT'), 0)::bigint AS credits
          FROM ledger_entry e WHERE e.account_id = c.account_id AND e.tx_xid < c.as_of_xid) x
     WHERE x.debits <> c.debits OR x.credits <> c.credits
     LIMIT 100`);
  for (const row of drifted) {
    violations.push({
      invariant: "checkpoint = entries",
      detail: `${row.code}: checkpoint ${row.debits}/${row.credits}, entries ${row.entry_debits}/${row.entry_credits}`,
    });
  }
  return { ok: violations.length === 0, violations };
}
