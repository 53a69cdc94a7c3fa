// The ledger's read side: statements with running balances (keyset pages), the trial balance,
// transactions with their entries.
import type { DbOrTx } from "@/server/db";
import { NotFoundError } from "@/server/errors";
import { type AccountType, accountBalances, signedBalance } from "./balances";

/** The largest statement page a caller may ask for. */
export const MAX_PAGE_SIZE = 100;

export interface StatementLine {
  entryId: bigint;
  transactionId: bigint;
  kind: string;
  reference: string;
  description: string;
  direction: "DEBIT" | "CREDIT";
  amount: bigint;
  /** Signed change of this account's balance. */
  change: bigint;
  balance: bigint;
  createdAt: Date;
}

type Account = { id: bigint; type: AccountType };

async function accountOrThrow(db: DbOrTx, code: string): Promise<Account> {
  const account = await db.ledgerAccount.findUnique({ where: { code }, select: { id: true, type: true } });
  if (!account) throw new NotFoundError("Ledger account");
  return { id: account.id, type: account.type as AccountType };
}

/** A span of time, `gte` inclusive and `lt` exclusive; an end left out is open. */
export interface Period {
  gte?: Date;
  lt?: Date;
}

// The period's ends as SQL parameters: an open end is ±infinity, so one statement serves both.
const periodBounds = (period?: Period) =>
  [period?.gte?.toISOString() ?? "-infinity", period?.lt?.toISOString() ?? "infinity"] as const;

/**
 * Entries of the period after `after` (entry id), oldest first, with the balance carried on from
 * `opening`.
 */
async function linesAfter(
  db: DbOrTx,
  account: Account,
  after: bigint,
  opening: bigint,
  limit: number,
  period?: Period,
) {
  const rows = await db.$queryRawUnsafe<Omit<StatementLine, "change" | "balance">[]>(
    `SELECT e.id AS "entryId", e.transaction_id AS "transactionId", t.kind, t.reference, t.description,
            e.direction::text AS direction, e.amount, e.created_at AS "createdAt"
       FROM ledger_entry e JOIN ledger_transaction t ON t.id = e.transaction_id
      WHERE e.account_id = $1 AND e.id > $2
        AND e.created_at >= $4::timestamptz AND e.created_at < $5::timestamptz
      ORDER BY e.id LIMIT $3`,
    account.id,
    after,
    limit + 1,
    ...periodBounds(period),
  );
  let balance = opening;
  const lines = rows.slice(0, limit).map((row) => {
    const change = signedBalance(
      account.type,
      row.direction === "DEBIT" ? row.amount : 0n,
      row.direction === "CREDIT" ? row.amount : 0n,
    );
    balance += change;
    return { ...row, change, balance };
  });
  return { lines, nextCursor: rows.length > limit ? lines.at(-1)?.entryId : undefined };
}

const SUMS = `SELECT coalesce(sum(amount) FILTER (WHERE direction = 'DEBIT'), 0)::bigint AS debits,
                      coalesce(sum(amount) FILTER (WHERE direction = 'CREDIT'), 0)::bigint AS credits
                 FROM ledger_entry`;

/**
 * The balance just before a statement line: every entry from before the period, and the period's
 * entries up to entry `after`.
 */
async function balanceBefore(db: DbOrTx, account: Account, after: bigint, period?: Period) {
  const [gte, lt] = periodBounds(period);
  const [sums] = period?.gte
    ? await db.$queryRawUnsafe<{ debits: bigint; credits: bigint }[]>(
        `${SUMS} WHERE account_id = $1
                   AND (created_at < $2::timestamptz OR (created_at < $3::timestamptz AND id <= $4))`,
        account.id,
        gte,
        lt,
        after,
      )
    : // Without a start, the (account_id, id) index bounds the sum.
      await db.$queryRawUnsafe<{ debits: bigint; credits: bigint }[]>(
        `${SUMS} WHERE account_id = $1 AND id <= $2 AND created_at < $3::timestamptz`,
        account.id,
        after,
        lt,
      );
  return signedBalance(account.type, sums!.debits, sums!.credits);
}

/**
 * One page (≤ 100 lines) of an account's statement, oldest first, after the given entry id;
 * within `period` if one is given, the running balance starting from the balance before it.
 */
export async function accountStatement(
  db: DbOrTx,
  code: string,
  page: { afterEntryId?: bigint; limit: number; period?: Period },
): Promise<{ lines: StatementLine[]; nextCursor: bigint | undefined }> {
  const account = await accountOrThrow(db, code);
  const after = page.afterEntryId ?? 0n;
  const limit = Math.min(Math.max(Math.trunc(page.limit), 1), MAX_PAGE_SIZE);
  const opening = await balanceBefore(db, account, after, page.period);
  return linesAfter(db, account, after, opening, limit, page.period);
}

/** An account's balance before a period and at its end, and what came in and went out in it. */
export async function periodTotals(db: DbOrTx, code: string, period?: Period) {
  const account = await accountOrThrow(db, code);
  const [sums] = await db.$queryRawUnsafe<
    { openingDebits: bigint; openingCredits: bigint; debits: bigint; credits: bigint }[]
  >(
    `SELECT coalesce(sum(amount) FILTER (WHERE direction = 'DEBIT' AND created_at < $2::timestamptz), 0)::bigint AS "openingDebits",
            coalesce(sum(amount) FILTER (WHERE direction = 'CREDIT' AND created_at < $2::timestamptz), 0)::bigint AS "openingCredits",
            coalesce(sum(amount) FILTER (WHERE direction = 'DEBIT' AND created_at >= $2::timestamptz), 0)::bigint AS debits,
            coalesce(sum(amount) FILTER (WHERE direction = 'CREDIT' AND created_at >= $2::timestamptz), 0)::bigint AS credits
       FROM ledger_entry WHERE account_id = $1 AND created_at < $3::timestamptz`,
    account.id,
    ...periodBounds(period),
  );
  const opening = signedBalance(account.type, sums!.openingDebits, sums!.openingCredits);
  // What raised the balance and what lowered it: debits raise an asset's, credits a liability's.
  const debitsRaise = signedBalance(account.type, 1n, 0n) > 0n;
  const moneyIn = debitsRaise ? sums!.debits : sums!.credits;
  const moneyOut = debitsRaise ? sums!.credits : sums!.debits;
  return { opening, moneyIn, moneyOut, closing: opening + moneyIn - moneyOut };
}

/**
 * Streams a whole statement (or a period's) in keyset batches, carrying the running balance from
 * batch to batch, for CSV export without holding it in memory.
 */
export async function* statementLines(
  db: DbOrTx,
  code: string,
  batchSize = 1000,
  period?: Period,
): AsyncGenerator<StatementLine> {
  const account = await accountOrThrow(db, code);
  let cursor = 0n;
  let balance = period?.gte ? await balanceBefore(db, account, 0n, period) : 0n;
  for (;;) {
    const page = await linesAfter(db, account, cursor, balance, batchSize, period);
    yield* page.lines;
    if (page.nextCursor === undefined) return;
    cursor = page.nextCursor;
    balance = page.lines.at(-1)!.balance;
  }
}

/**
 * The trial balance: every account's debits and credits, whose totals must be equal. System
 * accounts are listed one by one; the (many) seller accounts are summed per kind — page through
 * them with `accountBalances({ sellerAccounts: true, after, limit })`.
 */
export async function trialBalance(db: DbOrTx) {
  const all = await accountBalances(db);
  const accounts = all.filter((account) => !account.code.startsWith("seller_"));
  const sellerAccounts = (["pending", "available"] as const).map((bucket) => {
    const rows = all.filter((account) => account.code.startsWith(`seller_${bucket}:`));
    return {
      bucket,
      count: rows.length,
      debits: rows.reduce((sum, account) => sum + account.debits, 0n),
      credits: rows.reduce((sum, account) => sum + account.credits, 0n),
      balance: rows.reduce((sum, account) => sum + account.balance, 0n),
    };
  });
  const debits = all.reduce((sum, account) => sum + account.debits, 0n);
  const credits = all.reduce((sum, account) => sum + account.credits, 0n);
  return { accounts, sellerAccounts, debits, credits, balanced: debits === credits };
}

export async function transactionWithEntries(db: DbOrTx, id: bigint) {
  const transaction = await db.ledgerTransaction.findUnique({
    where: { id },
    include: {
      entries: { include: { account: { select: { code: true, type: true } } }, orderBy: { id: "asc" } },
    },
  });
  if (!transaction) throw new NotFoundError("Ledger transaction");
  return transaction;
}

export function transactionsByReference(db: DbOrTx, reference: string) {
  return db.ledgerTransaction.findMany({
    where: { reference },
    include: { entries: { include: { account: { select: { code: true } } }, orderBy: { id: "asc" } } },
    orderBy: { id: "asc" },
  });
}
