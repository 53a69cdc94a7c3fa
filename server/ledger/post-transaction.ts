// Posting to the ledger. Every business event becomes one balanced transaction, unique by
// (kind, reference); the wallet moves with the seller accounts in the same database transaction.
import { createHash } from "node:crypto";
import type { DbOrTx } from "@/server/db";
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
export async function ensureSellerAccounts(tx: DbOrTx, sellerId: string, currency: string): Promise<void> {
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

/**
 * Posts one balanced transaction in the caller's database transaction. Invariant: posting the
 * same (kind, reference) again returns the first transaction; different entries are a conflict.
 */
export async function postTransaction(tx: DbOrTx, input: TransactionInput): Promise<PostedTransaction> {
  const [posted] = await postTransactions(tx, [input]);
  return posted!;
}

/** Posts many transactions with a handful of set-based statements (pay-in and payout batches). */
export async function postTransactions(tx: DbOrTx, inputs: TransactionInput[]): Promise<PostedTransaction[]> {
  if (inputs.length === 0) return [];
  for (const input of inputs) validate(input);
  const key = (kind: string, reference: string) => `${kind}\u0000${reference}`;
  const seen = new Set<string>();
  for (const input of inputs) {
    const id = key(input.kind, input.reference);
    if (seen.has(id))
      throw new UnbalancedTransactionError(`${input.kind}/${input.reference} appears twice in the batch`);
    seen.add(id);
  }
  const codes = [...new Set(inputs.flatMap((input) => input.entries.map((entry) => entry.account)))];
  const accounts = await tx.$queryRawUnsafe<{ id: bigint; code: string; currency: string }[]>(
    `SELECT id, code, currency FROM ledger_account WHERE code = ANY($1::text[])`,
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
  const inserted = await tx.$queryRawUnsafe<LedgerTransactionRow[]>(
    `INSERT INTO ledger_transaction (kind, reference, currency, description, input_hash)
     SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[])
     ON CONFLICT (kind, reference) DO NOTHING
     RETURNING ${TRANSACTION_COLUMNS}`,
    inputs.map((input) => input.kind),
    inputs.map((input) => input.reference),
    inputs.map((input) => input.currency),
    inputs.map((input) => input.description ?? ""),
    hashes,
  );
  const created = new Map(inserted.map((row) => [key(row.kind, row.reference), row]));
  const newIds = new Map(inserted.map((row) => [key(row.kind, row.reference), row.id]));

  // Existing ones are replays when their entries are the same, conflicts otherwise.
  const replays = inputs.filter((input) => !newIds.has(key(input.kind, input.reference)));
  const existing = new Map<string, LedgerTransactionRow>();
  if (replays.length > 0) {
    const rows = await tx.$queryRawUnsafe<LedgerTransactionRow[]>(
      `SELECT ${TRANSACTION_COLUMNS} FROM ledger_transaction
        WHERE (kind, reference) IN (SELECT * FROM unnest($1::text[], $2::text[]))`,
      replays.map((input) => input.kind),
      replays.map((input) => input.reference),
    );
    for (const row of rows) existing.set(key(row.kind, row.reference), row);
    for (const input of replays) {
      const row = existing.get(key(input.kind, input.reference));
      if (!row || row.inputHash !== inputHash(input))
        throw new LedgerConflictError(input.kind, input.reference);
    }
  }

  const fresh = inputs.filter((input) => newIds.has(key(input.kind, input.reference)));
  const entries = fresh.flatMap((input) =>
    input.entries.map((entry) => ({
      transactionId: newIds.get(key(input.kind, input.reference))!,
      ...entry,
    })),
  );
  if (entries.length > 0) {
    await tx.$executeRawUnsafe(
      `INSERT INTO ledger_entry (transaction_id, account_id, direction, amount)
       SELECT t, a, d::"EntryDirection", m FROM unnest($1::bigint[], $2::bigint[], $3::text[], $4::bigint[]) AS e(t, a, d, m)`,
      entries.map((entry) => entry.transactionId.toString()),
      entries.map((entry) => byCode.get(entry.account)!.id.toString()),
      entries.map((entry) => entry.direction),
      entries.map((entry) => entry.amount.toString()),
    );
    await moveWallets(tx, fresh);
  }

  return inputs.map((input) => {
    const id = key(input.kind, input.reference);
    const fresh = created.get(id);
    const transaction = fresh ?? existing.get(id)!;
    return {
      id: transaction.id,
      kind: input.kind,
      reference: input.reference,
      transaction,
      replayed: !fresh,
    };
  });
}

/**
 * Applies the seller-account entries to the wallets in the same transaction: one atomic
 * `pending = pending + Δ` update, rows locked in a fixed order so concurrent batches never
 * deadlock; the wallet CHECKs turn an overdraft into InsufficientFundsError.
 */
async function moveWallets(tx: DbOrTx, inputs: TransactionInput[]) {
  const deltas = new Map<
    string,
    { sellerId: string; currency: string; pending: bigint; available: bigint }
  >();
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
  if (deltas.size === 0) return;
  const rows = [...deltas.values()].sort((a, b) =>
    a.sellerId === b.sellerId ? (a.currency < b.currency ? -1 : 1) : a.sellerId < b.sellerId ? -1 : 1,
  );
  let updated: number;
  try {
    updated = await tx.$executeRawUnsafe(
      `WITH d AS (SELECT * FROM unnest($1::uuid[], $2::text[], $3::bigint[], $4::bigint[])
                           AS d(seller_id, currency, pending, available)),
            locked AS (SELECT w.seller_id, w.currency FROM wallet w JOIN d USING (seller_id, currency)
                        ORDER BY w.seller_id, w.currency FOR UPDATE OF w)
       UPDATE wallet w SET pending = w.pending + d.pending, available = w.available + d.available, updated_at = now()
         FROM d JOIN locked l USING (seller_id, currency)
        WHERE w.seller_id = d.seller_id AND w.currency = d.currency`,
      rows.map((row) => row.sellerId),
      rows.map((row) => row.currency),
      rows.map((row) => row.pending.toString()),
      rows.map((row) => row.available.toString()),
    );
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
  // A seller account without its wallet row would break "wallet = ledger": refuse the posting.
  if (updated !== rows.length)
    throw new Error("A seller wallet is missing; create it with ensureSellerAccounts");
}
