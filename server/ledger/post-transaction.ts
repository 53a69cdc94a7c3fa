// Posting to the ledger. Every business event becomes one balanced transaction, unique by
// (kind, reference); the wallet moves with the seller accounts in the same database transaction.
import { createHash } from "node:crypto";
import { preparedStatement, type RawSql } from "@/server/db";
import {
  InsufficientFundsError,
  LedgerConflictError,
  UnbalancedTransactionError,
  UnknownAccountError,
} from "./errors";

export type Direction = "DEBIT" | "CREDIT";

export interface EntryInput {
  /** Account code: `psp_clearing`, `seller_pending:<seller id>`, … */
  account: string;
  direction: Direction;
  /** Minor units, > 0. */
  amount: bigint;
}

export interface TransactionInput {
  kind: string;
  reference: string;
  currency: string;
  description?: string;
  entries: EntryInput[];
}

/** The stored journal row of a posting. */
export interface LedgerTransactionRow {
  id: bigint;
  kind: string;
  reference: string;
  currency: string;
  description: string;
  inputHash: string;
  createdAt: Date;
}

export interface PostedTransaction {
  /** The transaction's id (also `transaction.id`). */
  id: bigint;
  kind: string;
  reference: string;
  /** The first posting of this (kind, reference): the new row, or the stored one on a replay. */
  transaction: LedgerTransactionRow;
  /** True when (kind, reference) was already posted with the same entries: nothing was written. */
  replayed: boolean;
}

const MAX_AMOUNT = 9_223_372_036_854_775_807n;
const TRANSACTION_COLUMNS = `id, kind, reference, trim(currency) AS currency, description,
  input_hash AS "inputHash", created_at AS "createdAt"`;

const sellerAccount = /^seller_(pending|available):([0-9a-f-]{36})$/;

function validate(input: TransactionInput): void {
  if (!input.kind || !input.reference)
    throw new UnbalancedTransactionError("kind and reference are required");
  if (!/^[a-z]{3}$/.test(input.currency))
    throw new UnbalancedTransactionError("currency must be a three-letter lowercase ISO code");
  if (input.entries.length < 2) throw new UnbalancedTransactionError("at least two entries are required");
  let balance = 0n;
  for (const entry of input.entries) {
    if (typeof entry.amount !== "bigint" || entry.amount <= 0n || entry.amount > MAX_AMOUNT) {
      throw new UnbalancedTransactionError("every amount must be a positive integer of minor units");
    }
    balance += entry.direction === "DEBIT" ? entry.amount : -entry.amount;
  }
  if (balance !== 0n) throw new UnbalancedTransactionError("debits and credits differ");
}

function inputHash(input: TransactionInput): string {
  const entries = input.entries.map((entry) => `${entry.account}|${entry.direction}|${entry.amount}`).sort();
  return createHash("sha256")
    .update(`${input.currency}\n${entries.join("\n")}`)
    .digest("hex");
}

/** Creates a seller's two accounts and wallet row, once. */
export async function ensureSellerAccounts(tx: RawSql, sellerId: string, currency: string): Promise<void> {
  await tx.$executeRawUnsafe(
    `INSERT INTO ledger_account (code, type, currency, seller_id)
     VALUES ($1, 'LIABILITY', $3, $2::uuid), ($4, 'LIABILITY', $3, $2::uuid)
     ON CONFLICT (code) DO NOTHING`,
    `seller_pending:${sellerId}`,
    sellerId,
    currency,
    `seller_available:${sellerId}`,
  );
  await tx.$executeRawUnsafe(
    `INSERT INTO wallet (seller_id, currency) VALUES ($1::uuid, $2) ON CONFLICT DO NOTHING`,
    sellerId,
    currency,
  );
}

/** What `ledger_post` and the batch statement return for each posting. */
interface PostRow {
  outcome: "created" | "existing" | "unknown_account" | "mixed_currency";
  id: bigint | null;
  kind: string | null;
  reference: string | null;
  currency: string | null;
  description: string | null;
  inputHash: string | null;
  createdAt: Date | null;
  unknown: string[] | null;
}

/** A batch statement's row: a new transaction (input position, id, time) or a stored one. */
interface BatchRow {
  n: number;
  id: bigint;
  createdAt: Date;
  currency: string | null;
  description: string | null;
  inputHash: string | null;
}

const key = (kind: string, reference: string) => `${kind}\u0000${reference}`;

// Arrays go to PostgreSQL as one array literal each: the drivers would otherwise convert and
// escape a 500-posting batch element by element, which cost more CPU than the SQL.
const textArray = (values: string[]) =>
  `{${values.map((value) => `"${value.replace(/[\\"]/g, "\\$&")}"`).join(",")}}`;
/** Numbers, bigints and UUIDs (validated), which need no quoting. */
const plainArray = (values: (string | number | bigint)[]) => `{${values.join(",")}}`;

const transactionRow = (row: PostRow): LedgerTransactionRow => ({
  id: row.id!,
  kind: row.kind!,
  reference: row.reference!,
  currency: row.currency!,
  description: row.description!,
  inputHash: row.inputHash!,
  createdAt: row.createdAt!,
});

/**
 * Posts one balanced transaction in the caller's database transaction. Invariant: posting the
 * same (kind, reference) again returns the first transaction; different entries are a conflict.
 * It is a single SQL statement (the `ledger_post` function), so with the plain client instead of
 * a transaction it is atomic too: one posting, one database transaction, one round trip.
 */
export async function postTransaction(tx: RawSql, input: TransactionInput): Promise<PostedTransaction> {
  validate(input);
  return postOne(tx, input);
}

// Every posting runs it: prepared once per connection (the plans inside ledger_post are cached
// by PostgreSQL anyway).
const POST_ONE = preparedStatement(
  "ledger_post",
  `SELECT outcome, id, kind, reference, currency, description, input_hash AS "inputHash",
          created_at AS "createdAt", unknown
     FROM ledger_post($1, $2, $3, $4, $5, $6::text[], $7::"EntryDirection"[], $8::bigint[],
                      $9::uuid[], $10::bigint[], $11::bigint[])`,
);

async function postOne(tx: RawSql, input: TransactionInput): Promise<PostedTransaction> {
  const hash = inputHash(input);
  const wallets = walletDeltas([input]);
  const rows = await withFundsCheck(() =>
    tx.$queryRawUnsafe<PostRow[]>(
      POST_ONE,
      input.kind,
      input.reference,
      input.currency,
      input.description ?? "",
      hash,
      textArray(input.entries.map((entry) => entry.account)),
      textArray(input.entries.map((entry) => entry.direction)),
      plainArray(input.entries.map((entry) => entry.amount)),
      plainArray(wallets.map((wallet) => wallet.sellerId)),
      plainArray(wallets.map((wallet) => wallet.pending)),
      plainArray(wallets.map((wallet) => wallet.available)),
    ),
  );
  const row = rows[0];
  if (!row) throw new LedgerConflictError(input.kind, input.reference);
  if (row.outcome === "unknown_account") throw new UnknownAccountError([...new Set(row.unknown ?? [])]);
  if (row.outcome === "mixed_currency")
    throw new UnbalancedTransactionError("every entry must be in the transaction's currency");
  const transaction = transactionRow(row);
  if (row.outcome === "existing" && transaction.inputHash !== hash)
    throw new LedgerConflictError(input.kind, input.reference);
  return {
    id: transaction.id,
    kind: input.kind,
    reference: input.reference,
    transaction,
    replayed: row.outcome === "existing",
  };
}

const ACCOUNTS_BY_CODE = preparedStatement(
  "ledger_accounts_by_code",
  `SELECT id, code, currency FROM ledger_account WHERE code = ANY($1::text[])`,
);

const POST_BATCH = preparedStatement(
  "ledger_post_batch",
  `WITH t_in AS (
     SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[])
       WITH ORDINALITY AS t(kind, reference, currency, description, input_hash, n)
   ), inserted AS (
     INSERT INTO ledger_transaction (kind, reference, currency, description, input_hash)
     SELECT kind, reference, currency, description, input_hash FROM t_in ORDER BY n
     ON CONFLICT (kind, reference) DO NOTHING
     RETURNING id, kind, reference, created_at
   ), fresh AS (
     SELECT t.n, i.id, i.created_at FROM inserted i JOIN t_in t USING (kind, reference)
   ), entries AS (
     INSERT INTO ledger_entry (transaction_id, account_id, direction, amount)
     SELECT f.id, e.account_id, e.direction, e.amount
       FROM unnest($6::bigint[], $7::bigint[], $8::"EntryDirection"[], $9::bigint[])
              WITH ORDINALITY AS e(n, account_id, direction, amount, ord)
       JOIN fresh f USING (n)
      ORDER BY e.ord
   )
   SELECT n::int AS n, id, created_at AS "createdAt", NULL AS currency, NULL AS description, NULL AS "inputHash"
     FROM fresh
   UNION ALL
   SELECT t.n::int, l.id, l.created_at, l.currency::text, l.description, l.input_hash
     FROM ledger_transaction l JOIN t_in t ON l.kind = t.kind AND l.reference = t.reference`,
);

/**
 * Posts many transactions with two set-based statements whatever the batch size (pay-in and
 * payout batches): one writes the transactions and their entries, one moves the wallets. Run it
 * in a database transaction: a conflict found after the first statement is thrown for the caller
 * to roll back.
 */
export async function postTransactions(tx: RawSql, inputs: TransactionInput[]): Promise<PostedTransaction[]> {
  if (inputs.length === 0) return [];
  for (const input of inputs) validate(input);
  const seen = new Set<string>();
  for (const input of inputs) {
    const id = key(input.kind, input.reference);
    if (seen.has(id))
      throw new UnbalancedTransactionError(`${input.kind}/${input.reference} appears twice in the batch`);
    seen.add(id);
  }
  if (inputs.length === 1) return [await postOne(tx, inputs[0]!)];

  const codes = [...new Set(inputs.flatMap((input) => input.entries.map((entry) => entry.account)))];
  const accounts = await tx.$queryRawUnsafe<{ id: bigint; code: string; currency: string }[]>(
    ACCOUNTS_BY_CODE,
    codes,
  );
  const byCode = new Map(accounts.map((account) => [account.code, account]));
  const unknown = codes.filter((code) => !byCode.has(code));
  if (unknown.length > 0) throw new UnknownAccountError(unknown);
  for (const input of inputs) {
    if (input.entries.some((entry) => byCode.get(entry.account)!.currency.trim() !== input.currency)) {
      throw new UnbalancedTransactionError("every entry must be in the transaction's currency");
    }
  }

  const hashes = inputs.map(inputHash);
  const entries = inputs.flatMap((input, index) => input.entries.map((entry) => ({ index, ...entry })));
  // The transactions and their entries in one statement, so the database's statement-level
  // check sees each transaction whole (migration 20261206010000). A new transaction comes back
  // as its input position, id and time (the rest is the input); one stored before this
  // statement comes back whole (the statement's snapshot does not show the rows it inserts).
  const rows = await tx.$queryRawUnsafe<BatchRow[]>(
    POST_BATCH,
    textArray(inputs.map((input) => input.kind)),
    textArray(inputs.map((input) => input.reference)),
    textArray(inputs.map((input) => input.currency)),
    textArray(inputs.map((input) => input.description ?? "")),
    textArray(hashes),
    plainArray(entries.map((entry) => entry.index + 1)),
    plainArray(entries.map((entry) => byCode.get(entry.account)!.id)),
    textArray(entries.map((entry) => entry.direction)),
    plainArray(entries.map((entry) => entry.amount)),
  );

  const created: (LedgerTransactionRow | undefined)[] = new Array(inputs.length);
  const existing: (LedgerTransactionRow | undefined)[] = new Array(inputs.length);
  for (const row of rows) {
    const input = inputs[row.n - 1]!;
    const stored = row.inputHash !== null;
    (stored ? existing : created)[row.n - 1] = {
      id: row.id,
      kind: input.kind,
      reference: input.reference,
      currency: stored ? row.currency! : input.currency,
      description: stored ? row.description! : (input.description ?? ""),
      inputHash: stored ? row.inputHash! : hashes[row.n - 1]!,
      createdAt: row.createdAt,
    };
  }
  // A key neither inserted nor visible was committed by a concurrent poster after this
  // statement's snapshot (ON CONFLICT waited for it): a new statement sees it.
  const late = inputs.filter((_, index) => !created[index] && !existing[index]);
  if (late.length > 0) {
    const found = await tx.$queryRawUnsafe<LedgerTransactionRow[]>(
      `SELECT ${TRANSACTION_COLUMNS} FROM ledger_transaction
        WHERE (kind, reference) IN (SELECT * FROM unnest($1::text[], $2::text[]))`,
      textArray(late.map((input) => input.kind)),
      textArray(late.map((input) => input.reference)),
    );
    const byKey = new Map(found.map((row) => [key(row.kind, row.reference), row]));
    inputs.forEach((input, index) => {
      existing[index] ??= byKey.get(key(input.kind, input.reference));
    });
  }
  inputs.forEach((input, index) => {
    if (created[index]) return;
    if (existing[index]?.inputHash !== hashes[index])
      throw new LedgerConflictError(input.kind, input.reference);
  });

  await moveWallets(tx, walletDeltas(inputs.filter((_, index) => created[index])));

  return inputs.map((input, index) => {
    const fresh = created[index];
    const transaction = fresh ?? existing[index]!;
    return {
      id: transaction.id,
      kind: input.kind,
      reference: input.reference,
      transaction,
      replayed: !fresh,
    };
  });
}

interface WalletDelta {
  sellerId: string;
  currency: string;
  pending: bigint;
  available: bigint;
}

/** The net change of each seller wallet the postings' seller accounts make, in lock order. */
function walletDeltas(inputs: TransactionInput[]): WalletDelta[] {
  const deltas = new Map<string, WalletDelta>();
  for (const input of inputs) {
    for (const entry of input.entries) {
      const match = sellerAccount.exec(entry.account);
      if (!match) continue;
      const [, bucket, sellerId] = match;
      const id = `${sellerId}|${input.currency}`;
      const delta = deltas.get(id) ?? {
        sellerId: sellerId!,
        currency: input.currency,
        pending: 0n,
        available: 0n,
      };
      const signed = entry.direction === "CREDIT" ? entry.amount : -entry.amount;
      if (bucket === "pending") delta.pending += signed;
      else delta.available += signed;
      deltas.set(id, delta);
    }
  }
  return [...deltas.values()].sort((a, b) =>
    a.sellerId === b.sellerId ? (a.currency < b.currency ? -1 : 1) : a.sellerId < b.sellerId ? -1 : 1,
  );
}

/** The wallet CHECKs turn an overdraft into InsufficientFundsError. */
async function withFundsCheck<T>(statement: () => Promise<T>): Promise<T> {
  try {
    return await statement();
  } catch (error) {
    if (
      /wallet_(pending|available)_not_negative/.test(
        `${(error as Error).message} ${String((error as { cause?: unknown }).cause ?? "")}`,
      )
    ) {
      throw new InsufficientFundsError();
    }
    throw error;
  }
}

const MOVE_WALLETS = preparedStatement(
  "wallet_move_batch",
  `WITH d AS (SELECT * FROM unnest($1::uuid[], $2::bpchar[], $3::bigint[], $4::bigint[])
                       AS d(seller_id, currency, pending, available)),
        locked AS (SELECT w.seller_id, w.currency FROM wallet w JOIN d USING (seller_id, currency)
                    ORDER BY w.seller_id, w.currency FOR UPDATE OF w)
   UPDATE wallet w SET pending = w.pending + d.pending, available = w.available + d.available, updated_at = now()
     FROM d JOIN locked l USING (seller_id, currency)
    WHERE w.seller_id = d.seller_id AND w.currency = d.currency`,
);

/**
 * Applies the seller-account entries of a batch to the wallets in the same transaction: one
 * atomic `pending = pending + Δ` update, rows locked in a fixed order so concurrent batches never
 * deadlock.
 */
async function moveWallets(tx: RawSql, rows: WalletDelta[]) {
  if (rows.length === 0) return;
  const updated = await withFundsCheck(() =>
    tx.$executeRawUnsafe(
      MOVE_WALLETS,
      plainArray(rows.map((row) => row.sellerId)),
      textArray(rows.map((row) => row.currency)),
      plainArray(rows.map((row) => row.pending)),
      plainArray(rows.map((row) => row.available)),
    ),
  );
  // A seller account without its wallet row would break "wallet = ledger": refuse the posting.
  if (updated !== rows.length)
    throw new Error("A seller wallet is missing; create it with ensureSellerAccounts");
}
