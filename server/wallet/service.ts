// A seller's wallet: the two balances the ledger holds for them (kept equal to the ledger in the
// posting's own transaction, see server/ledger/post-transaction.ts), and their statement.
import type { DbOrTx } from "@/server/db";
import { accountStatement, type StatementLine } from "@/server/ledger/queries";

export type WalletBucket = "pending" | "available";

/** The seller's balances; one zero wallet before the first sale. */
export async function sellerWallets(db: DbOrTx, sellerId: string) {
  const wallets = await db.wallet.findMany({ where: { sellerId }, orderBy: { currency: "asc" } });
  return wallets.length > 0
    ? wallets
    : [{ sellerId, currency: "usd", pending: 0n, available: 0n, updatedAt: null }];
}

/** One page of the seller's own statement for one balance (empty before the first posting). */
export async function sellerStatement(
  db: DbOrTx,
  sellerId: string,
  bucket: WalletBucket,
  page: { afterEntryId?: bigint; limit: number },
): Promise<{ lines: StatementLine[]; nextCursor: bigint | undefined }> {
  const code = `seller_${bucket}:${sellerId}`;
  const exists = await db.ledgerAccount.count({ where: { code } });
  if (!exists) return { lines: [], nextCursor: undefined };
  return accountStatement(db, code, page);
}
