// Splits a cart into one payment order per seller and computes each order's commission.
// Commission is rounded down to the minor unit: any fraction of a cent stays with the seller.

export interface CartLine {
  productId: string;
  name: string;
  sellerId: string;
  unitPrice: bigint;
  quantity: number;
}

export interface OrderDraft {
  sellerId: string;
  amount: bigint;
  commission: bigint;
  items: { productId: string; name: string; unitPrice: string; quantity: number }[];
}

export function commissionFor(amount: bigint, commissionBps: number): bigint {
  return (amount * BigInt(commissionBps)) / 10_000n;
}

export function splitCart(lines: CartLine[], commissionBpsBySeller: Map<string, number>): OrderDraft[] {
  const bySeller = new Map<string, CartLine[]>();
  for (const line of lines) bySeller.set(line.sellerId, [...(bySeller.get(line.sellerId) ?? []), line]);
  return [...bySeller.entries()]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([sellerId, sellerLines]) => {
      const amount = sellerLines.reduce((sum, line) => sum + line.unitPrice * BigInt(line.quantity), 0n);
      const bps = commissionBpsBySeller.get(sellerId);
      if (bps === undefined) throw new Error(`no commission rate for seller ${sellerId}`);
      return {
        sellerId,
        amount,
        commission: commissionFor(amount, bps),
        items: sellerLines.map((line) => ({
          productId: line.productId,
          name: line.name,
          unitPrice: line.unitPrice.toString(),
          quantity: line.quantity,
        })),
      };
    });
}
