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
}

/** Balances of accounts (all, or those with the given codes), optionally as of a moment. */
export async function accountBalances(
  db: DbOrTx,
  options: { codes?: string[]; asOf?: Date } = {},
): Promise<AccountBalance[]> {
  const rows = await db.$queryRawUnsafe<Omit<AccountBalance, "balance">[]>(
    `SELECT a.id, a.code, a.type::text AS type, trim(a.currency) AS currency,
            (coalesce(c.debits, 0) + coalesce(x.debits, 0))::bigint AS debits,
            (coalesce(c.credits, 0) + coalesce(x.credits, 0))::bigint AS credits
       FROM ledger_account a
       LEFT JOIN ledger_checkpoint c ON c.account_id = a.id AND ($2::timestamptz IS NULL OR c.sealed_before <= $2)
       LEFT JOIN LATERAL (
         SELECT sum(e.amount) FILTER (WHERE e.direction = 'DEBIT') AS debits,
                sum(e.amount) FILTER (WHERE e.direction = 'CREDIT') AS credits
           FROM ledger_entry e
          WHERE e.account_id = a.id
            AND (c.sealed_before IS NULL OR e.created_at >= c.sealed_before)
            AND ($2::timestamptz IS NULL OR e.created_at <= $2)
       ) x ON true
      WHERE $1::text[] IS NULL OR a.code = ANY($1::text[])
      ORDER BY a.seller_id NULLS FIRST, a.code`,
    options.codes ?? null,
    options.asOf ?? null,
  );
  return rows.map((row) => ({ ...row, balance: signedBalance(row.type, row.debits, row.credits) }));
}

export async function accountBalance(db: DbOrTx, code: string, asOf?: Date): Promise<bigint> {
  const [row] = await accountBalances(db, { codes: [code], asOf });
  return row?.balance ?? 0n;
}

/**
 * Seals every account's totals for entries created before the start of the oldest transaction
 * still open anywhere in the database (and at least a minute ago). Entries carry their
 * transaction's start time, so nothing in flight can later appear below the seal.
 */
export async function refreshBalanceCheckpoints(db: DbOrTx): Promise<Date> {
  const [{ horizon }] = (await db.$queryRawUnsafe<{ horizon: Date }[]>(`
    SELECT least(now() - interval '1 minute',
                 coalesce((SELECT min(xact_start) FROM pg_stat_activity WHERE xact_start IS NOT NULL AND pid <> pg_backend_pid()), now()))
           AS horizon`)) as [{ horizon: Date }];
  await db.$executeRawUnsafe(
    `INSERT INTO ledger_checkpoint (account_id, sealed_before, debits, credits)
     SELECT a.id, $1::timestamptz,
            coalesce(sum(e.amount) FILTER (WHERE e.direction = 'DEBIT'), 0),
            coalesce(sum(e.amount) FILTER (WHERE e.direction = 'CREDIT'), 0)
       FROM ledger_account a LEFT JOIN ledger_entry e ON e.account_id = a.id AND e.created_at < $1::timestamptz
      GROUP BY a.id
     ON CONFLICT (account_id) DO UPDATE
        SET sealed_before = excluded.sealed_before, debits = excluded.debits, credits = excluded.credits, created_at = now()
      WHERE ledger_checkpoint.sealed_before < excluded.sealed_before`,
    horizon,
  );
  return horizon;
}
