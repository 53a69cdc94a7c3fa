"use client";
import { useQuery } from "@tanstack/react-query";
import { formatMoney } from "@/components/format";
import { useTRPC } from "@/components/trpc";

export function WalletSummary() {
  const trpc = useTRPC();
  const wallets = useQuery(trpc.wallet.mine.queryOptions(undefined, { refetchInterval: 5000 }));
  return (
    <div className="grid">
      {wallets.data?.map((wallet) => (
        <div key={wallet.currency} style={{ display: "contents" }}>
          <div className="stat">
            <div className="label">Available to pay out</div>
            <div className="value" data-testid="available-balance">
              {formatMoney(wallet.available, wallet.currency)}
            </div>
          </div>
          <div className="stat">
            <div className="label">Pending (not yet released)</div>
            <div className="value" data-testid="pending-balance">
              {formatMoney(wallet.pending, wallet.currency)}
            </div>
          </div>
        </div>
      ))}
    </div>
  );
}
