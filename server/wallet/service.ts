// A seller's wallet: the two balances the ledger holds for them (kept equal to the ledger in the
// posting's own transaction, see server/ledger/post-transaction.ts), and their statement.
import type { DbOrTx } from "@/server/db";
import { accountStatement, type Period, periodTotals, type StatementLine } from "@/server/ledger/queries";

export type WalletBucket = "pending" | "available";

const accountCode = (sellerId: string, bucket: WalletBucket) => `seller_${bucket}:${sellerId}`;

/** Whether the seller's account for this balance exists yet (it is opened by the first sale). */
async function opened(db: DbOrTx, code: string): Promise<boolean> {
  return (await db.ledgerAccount.count({ where: { code } })) > 0;
}

/** The seller's balances; one zero wallet before the first sale. */
export async function sellerWallets(db: DbOrTx, sellerId: string) {
  const wallets = await db.wallet.findMany({ where: { sellerId }, orderBy: { currency: "asc" } });
  return wallets.length > 0
    ? wallets
    : [{ sellerId, currency: "usd", pending: 0n, available: 0n, updatedAt: null }];
}

/**
 * One page of the seller's own statement for one balance, within `period` if one is given
 * (empty before the first posting).
 */
export async function sellerStatement(
  db: DbOrTx,
  sellerId: string,
  bucket: WalletBucket,
  page: { afterEntryId?: bigint; limit: number; period?: Period },
): Promise<{ lines: StatementLine[]; nextCursor: bigint | undefined }> {
  const code = accountCode(sellerId, bucket);
  if (!(await opened(db, code))) return { lines: [], nextCursor: undefined };
  return accountStatement(db, code, page);
}

/** The balance before the period and at its end, and what came in and went out in it. */
export async function sellerStatementTotals(
  db: DbOrTx,
  sellerId: string,
  bucket: WalletBucket,
  period?: Period,
) {
  const code = accountCode(sellerId, bucket);
  if (!(await opened(db, code))) return { opening: 0n, moneyIn: 0n, moneyOut: 0n, closing: 0n };
  return periodTotals(db, code, period);
}
