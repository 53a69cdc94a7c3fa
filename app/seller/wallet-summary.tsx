"use client";
import { useQuery } from "@tanstack/react-query";
import { formatDate, formatMoney } from "@/components/format";
import { useTRPC } from "@/components/trpc";

const schedules: Record<string, string> = {
  MONTHLY: "monthly",
  WEEKLY: "weekly",
  DAILY: "daily",
  MANUAL: "on request",
};

const Loading = () => <span className="skeleton" style={{ height: "1.4rem" }} />;

export function WalletSummary() {
  const trpc = useTRPC();
  const wallets = useQuery(trpc.wallet.mine.queryOptions(undefined, { refetchInterval: 5000 }));
  // The payout module's own estimate (reserve, minimum, connected account): never recomputed here.
  const upcoming = useQuery(trpc.payout.upcoming.queryOptions(undefined, { refetchInterval: 15000 }));
  const next = upcoming.data;
  const wallet = wallets.data?.find((row) => row.currency === next?.currency) ?? wallets.data?.[0];
  const currency = wallet?.currency ?? next?.currency ?? "usd";
  return (
    <div className="grid balances">
      <div className="stat">
        <div className="label">Available to pay out</div>
        <div className="value" data-testid="available-balance">
          {wallets.data ? formatMoney(wallet?.available ?? 0n, currency) : <Loading />}
        </div>
        <div className="sub">Released, not yet paid out</div>
      </div>
      <div className="stat">
        <div className="label">Pending</div>
        <div className="value" data-testid="pending-balance">
          {wallets.data ? formatMoney(wallet?.pending ?? 0n, currency) : <Loading />}
        </div>
        <div className="sub">Paid; available once the hold after shipping has passed</div>
      </div>
      <div className="stat accent">
        <div className="label">Next payout estimate</div>
        <div className="value" data-testid="next-payout">
          {next ? formatMoney(next.estimate, next.currency) : <Loading />}
        </div>
        <div className="sub">
          {next &&
            (next.blocker ??
              (next.nextDate
                ? `${formatDate(next.nextDate)} · ${schedules[next.schedule] ?? next.schedule}`
                : "Paid out when you ask"))}
          {next && next.inFlight > 0n && <> · {formatMoney(next.inFlight, next.currency)} on its way</>}
        </div>
      </div>
    </div>
  );
}
