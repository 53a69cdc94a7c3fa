// Settlement ingestion: the PSP's balance transactions for a period (auto-paginated), or a file
// in the same shape, stored once by PSP id and posted to the ledger exactly once.
import { parse } from "csv-parse/sync";
import type Stripe from "stripe";
import type { DbOrTx } from "@/server/db";
import { DomainError } from "@/server/errors";
import { postTransactions, type TransactionInput } from "@/server/ledger/post-transaction";
import type { PspPort } from "@/server/psp/port";

export interface SettlementRow {
  pspId: string;
  type: string;
  sourceId: string;
  amount: bigint;
  fee: bigint;
  net: bigint;
  currency: string;
  createdAt: Date;
}

const BATCH = 1000;

/** Stores rows not seen before; returns the ones that were new (to post them). */
export async function storeSettlementRows(
  db: DbOrTx,
  rows: SettlementRow[],
  origin: "API" | "FILE",
): Promise<SettlementRow[]> {
  if (rows.length === 0) return [];
  const inserted = await db.$queryRawUnsafe<{ psp_id: string }[]>(
    `INSERT INTO settlement_record (psp_balance_transaction_id, type, source_id, amount, fee, net, currency, created_at_psp, origin)
     SELECT *, $9 FROM unnest($1::text[], $2::text[], $3::text[], $4::bigint[], $5::bigint[], $6::bigint[], $7::text[], $8::timestamptz[])
     ON CONFLICT (psp_balance_transaction_id) DO NOTHING RETURNING psp_balance_transaction_id AS psp_id`,
    rows.map((row) => row.pspId),
    rows.map((row) => row.type),
    rows.map((row) => row.sourceId),
    rows.map((row) => row.amount.toString()),
    rows.map((row) => row.fee.toString()),
    rows.map((row) => row.net.toString()),
    rows.map((row) => row.currency.toLowerCase()),
    rows.map((row) => row.createdAt.toISOString()),
    origin,
  );
  const fresh = new Set(inserted.map((row) => row.psp_id));
  return rows.filter((row) => fresh.has(row.pspId));
}

/**
 * The ledger side of settlement: a charge settles gross out of psp_clearing into the bank, less
 * the PSP's fee; a refund's money leaves the bank; a failed refund comes back. Transfers and
 * payouts are posted by the payout domain when they happen, so they post nothing here.
 */
export function settlementPosting(row: SettlementRow): TransactionInput | null {
  const base = { kind: "settlement", reference: row.pspId, currency: row.currency.toLowerCase() };
  const entries: TransactionInput["entries"] = [];
  const add = (account: string, direction: "DEBIT" | "CREDIT", amount: bigint) => {
    // A negative amount is the other side; zero moves nothing.
    if (amount > 0n) entries.push({ account, direction, amount });
    else if (amount < 0n)
      entries.push({ account, direction: direction === "DEBIT" ? "CREDIT" : "DEBIT", amount: -amount });
  };
  if (row.type === "charge") {
    add("platform_bank", "DEBIT", row.net);
    add("psp_fee_expense", "DEBIT", row.fee);
    add("psp_clearing", "CREDIT", row.amount);
  } else if (row.type === "refund" && row.amount < 0n) {
    add("psp_clearing", "DEBIT", -row.amount);
    add("platform_bank", "CREDIT", -row.amount);
  } else if (row.type === "refund_failure" && row.amount > 0n) {
    add("platform_bank", "DEBIT", row.amount);
    add("psp_clearing", "CREDIT", row.amount);
  }
  return entries.length >= 2
    ? { ...base, description: `Settlement ${row.type} ${row.sourceId}`, entries }
    : null;
}

async function storeAndPost(db: DbOrTx, rows: SettlementRow[], origin: "API" | "FILE") {
  const fresh = await storeSettlementRows(db, rows, origin);
  const postings = fresh
    .map(settlementPosting)
    .filter((posting): posting is TransactionInput => posting !== null);
  // Posting is idempotent on (settlement, psp id) too: a crash between the two statements is
  // repaired by the next ingestion, which finds the row stored and the posting missing.
  await postTransactions(db, postings);
  return fresh.length;
}

export function fromBalanceTransaction(txn: Stripe.BalanceTransaction): SettlementRow {
  const source = typeof txn.source === "string" ? txn.source : (txn.source?.id ?? "");
  return {
    pspId: txn.id,
    type: txn.type,
    sourceId: source,
    amount: BigInt(txn.amount),
    fee: BigInt(txn.fee),
    net: BigInt(txn.net),
    currency: txn.currency,
    createdAt: new Date(txn.created * 1000),
  };
}

/** Reads the PSP's settlement data for [from, to) and stores what is new. Safe to repeat. */
export async function ingestFromPsp(
  db: DbOrTx & { $transaction: <T>(fn: (tx: DbOrTx) => Promise<T>) => Promise<T> },
  psp: PspPort,
  period: { from: Date; to: Date },
): Promise<{ fetched: number; stored: number }> {
  let batch: SettlementRow[] = [];
  let fetched = 0;
  let stored = 0;
  const flush = async () => {
    const rows = batch;
    batch = [];
    stored += await db.$transaction((tx) => storeAndPost(tx, rows, "API"));
  };
  for await (const txn of psp.listBalanceTransactions(period)) {
    fetched++;
    batch.push(fromBalanceTransaction(txn));
    if (batch.length >= BATCH) await flush();
  }
  if (batch.length > 0) await flush();
  await repairMissingPostings(db, period);
  return { fetched, stored };
}

/**
 * Posts the period's settlement records whose posting is missing (stored by a version, or a path,
 * that did not post in the same transaction). Scoped to the period so a nightly run reads a day.
 */
export async function repairMissingPostings(db: DbOrTx, period: { from: Date; to: Date }): Promise<number> {
  const missing = await db.$queryRawUnsafe<
    {
      psp_id: string;
      type: string;
      source_id: string;
      amount: bigint;
      fee: bigint;
      net: bigint;
      currency: string;
      created_at_psp: Date;
    }[]
  >(
    `SELECT s.psp_balance_transaction_id AS psp_id, s.type, s.source_id, s.amount, s.fee, s.net, trim(s.currency) AS currency, s.created_at_psp
       FROM settlement_record s
      WHERE s.type IN ('charge', 'refund', 'refund_failure')
        AND s.created_at_psp >= $1 AND s.created_at_psp < $2
        AND NOT EXISTS (SELECT 1 FROM ledger_transaction t WHERE t.kind = 'settlement' AND t.reference = s.psp_balance_transaction_id)
      LIMIT 5000`,
    period.from,
    period.to,
  );
  const postings = missing
    .map((row) =>
      settlementPosting({
        pspId: row.psp_id,
        type: row.type,
        sourceId: row.source_id,
        amount: row.amount,
        fee: row.fee,
        net: row.net,
        currency: row.currency,
        createdAt: row.created_at_psp,
      }),
    )
    .filter((posting): posting is TransactionInput => posting !== null);
  await postTransactions(db, postings);
  return postings.length;
}

export class SettlementFileError extends DomainError {
  constructor(message: string) {
    super(message, "BAD_REQUEST");
  }
}

const FILE_COLUMNS = ["id", "type", "source", "amount", "fee", "net", "currency", "created"] as const;

/** Parses a settlement file (CSV with Stripe's balance-transaction columns) into rows. */
export function parseSettlementFile(text: string): SettlementRow[] {
  let records: Record<string, string>[];
  try {
    records = parse(text, { columns: true, skip_empty_lines: true, trim: true });
  } catch (error) {
    throw new SettlementFileError(`The file is not valid CSV: ${(error as Error).message}`);
  }
  return records.map((record, index) => {
    const line = index + 2;
    for (const column of FILE_COLUMNS) {
      if (record[column] === undefined || record[column] === "")
        throw new SettlementFileError(`Line ${line}: ${column} is missing`);
    }
    const integer = (column: string) => {
      if (!/^-?\d{1,18}$/.test(record[column]!))
        throw new SettlementFileError(`Line ${line}: ${column} must be an integer of minor units`);
      return BigInt(record[column]!);
    };
    const created = /^\d+$/.test(record.created!)
      ? new Date(Number(record.created) * 1000)
      : new Date(record.created!);
    if (Number.isNaN(created.getTime())) throw new SettlementFileError(`Line ${line}: created is not a date`);
    if (!/^[a-zA-Z]{3}$/.test(record.currency!))
      throw new SettlementFileError(`Line ${line}: currency is not a currency code`);
    const row = {
      pspId: record.id!,
      type: record.type!,
      sourceId: record.source!,
      amount: integer("amount"),
      fee: integer("fee"),
      net: integer("net"),
      currency: record.currency!.toLowerCase(),
      createdAt: created,
    };
    if (row.net !== row.amount - row.fee)
      throw new SettlementFileError(`Line ${line}: net must equal amount minus fee`);
    return row;
  });
}

/** Stores and posts an uploaded settlement file in one transaction: all of it or nothing. */
export async function ingestFile(
  db: { $transaction: <T>(fn: (tx: DbOrTx) => Promise<T>, options?: { timeout?: number }) => Promise<T> },
  text: string,
): Promise<{ rows: number; stored: number }> {
  const rows = parseSettlementFile(text);
  const stored = await db.$transaction(
    async (tx) => {
      let count = 0;
      for (let start = 0; start < rows.length; start += BATCH)
        count += await storeAndPost(tx, rows.slice(start, start + BATCH), "FILE");
      return count;
    },
    { timeout: 120_000 },
  );
  return { rows: rows.length, stored };
}
