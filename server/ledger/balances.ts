// Account balances are derived from entries (plus a sealed checkpoint), never kept on a row that
// every posting would lock: psp_clearing and commission_revenue are touched by every pay-in.
import type { DbOrTx } from "@/server/db";

export type AccountType = "ASSET" | "LIABILITY" | "REVENUE" | "EXPENSE";

/** Debit-normal accounts (assets, expenses) grow with debits; the others with credits. */
export function signedBalance(type: AccountType, debits: bigint, credits: bigint): bigint {
  return type === "ASSET" || type === "EXPENSE" ? debits - credits : credits - debits;
}

export interface AccountBalance {
  id: bigint;
  code: string;
  type: AccountType;
  currency: string;
  debits: bigint;
  credits: bigint;
  balance: bigint;
  /** the seller a seller account belongs to, for people reading the chart of accounts */
  sellerName: string | null;
}

/**
 * Balances of accounts (all, or those with the given codes), optionally as of a moment.
 * A checkpoint is used when it was sealed at or before `asOf`: every entry below its xid horizon
 * belongs to a transaction that started (so got its `created_at`) before the seal.
 */
export async function accountBalances(
  db: DbOrTx,
  options: { codes?: string[]; asOf?: Date; sellerAccounts?: boolean; after?: string; limit?: number } = {},
): Promise<AccountBalance[]> {
  const rows = await db.$queryRawUnsafe<Omit<AccountBalance, "balance">[]>(
    `SELECT a.id, a.code, a.type::text AS type, trim(a.currency) AS currency, s.name AS "sellerName",
            (coalesce(c.debits, 0) + coalesce(x.debits, 0))::bigint AS debits,
            (coalesce(c.credits, 0) + coalesce(x.credits, 0))::bigint AS credits
       FROM ledger_account a
       LEFT JOIN seller s ON s.id = a.seller_id
       LEFT JOIN ledger_balance_checkpoint c
              ON c.account_id = a.id AND ($2::timestamptz IS NULL OR c.sealed_at <= $2)
       LEFT JOIN LATERAL (
         SELECT sum(e.amount) FILTER (WHERE e.direction = 'DEBIT') AS debits,
                sum(e.amount) FILTER (WHERE e.direction = 'CREDIT') AS credits
           FROM ledger_entry e
          WHERE e.account_id = a.id
            AND e.tx_xid >= coalesce(c.as_of_xid, 0)
            AND ($2::timestamptz IS NULL OR e.created_at <= $2)
       ) x ON true
      WHERE ($1::text[] IS NULL OR a.code = ANY($1::text[]))
        AND ($3::boolean IS NULL OR (a.seller_id IS NOT NULL) = $3)
        AND ($4::text IS NULL OR a.code > $4)
      ORDER BY a.code
      LIMIT $5`,
    options.codes ?? null,
    options.asOf ?? null,
    options.sellerAccounts ?? null,
    options.after ?? null,
    options.limit ?? null,
  );
  return rows.map((row) => ({ ...row, balance: signedBalance(row.type, row.debits, row.credits) }));
}

/** One account's balance (debit-normal for assets and expenses), now or as of a moment. */
export async function accountBalance(db: DbOrTx, code: string, asOf?: Date): Promise<bigint> {
  const [row] = await accountBalances(db, { codes: [code], asOf });
  return row?.balance ?? 0n;
}

/**
 * Seals the system accounts' totals up to the oldest transaction id still open in the cluster
 * (`pg_snapshot_xmin`), adding only the entries since the previous seal. Every entry below that
 * horizon is committed (or rolled back) and visible to this very statement, so a posting still in
 * flight can never end up below a seal. Returns the horizon.
 */
export async function refreshBalanceCheckpoints(db: DbOrTx): Promise<bigint> {
  const [row] = await db.$queryRawUnsafe<{ horizon: bigint }[]>(`
    WITH h AS (SELECT pg_snapshot_xmin(pg_current_snapshot())::text::bigint AS horizon),
    sealed AS (
      INSERT INTO ledger_balance_checkpoint (account_id, as_of_xid, debits, credits, sealed_at)
      SELECT a.id, h.horizon,
             coalesce(c.debits, 0) + coalesce(x.debits, 0),
             coalesce(c.credits, 0) + coalesce(x.credits, 0),
             clock_timestamp()
        FROM ledger_account a
        CROSS JOIN h
        LEFT JOIN ledger_balance_checkpoint c ON c.account_id = a.id
        LEFT JOIN LATERAL (
          SELECT sum(e.amount) FILTER (WHERE e.direction = 'DEBIT') AS debits,
                 sum(e.amount) FILTER (WHERE e.direction = 'CREDIT') AS credits
            FROM ledger_entry e
           WHERE e.account_id = a.id AND e.tx_xid >= coalesce(c.as_of_xid, 0) AND e.tx_xid < h.horizon
        ) x ON true
       WHERE a.seller_id IS NULL AND (c.as_of_xid IS NULL OR c.as_of_xid < h.horizon)
      ON CONFLICT (account_id) DO UPDATE
         SET as_of_xid = excluded.as_of_xid, debits = excluded.debits, credits = excluded.credits,
             sealed_at = excluded.sealed_at
       WHERE ledger_balance_checkpoint.as_of_xid < excluded.as_of_xid
      RETURNING 1)
    SELECT horizon FROM h`);
  return row!.horizon;
}
