"use client";
import { useInfiniteQuery, useQuery } from "@tanstack/react-query";
import { useState } from "react";
import { formatDateTime, formatMoney } from "@/components/format";
import { LoadMore } from "@/components/load-more";
import { PeriodForm, PeriodTotals, useStatementPeriod } from "@/components/statement-period";
import { EmptyRow, SkeletonRows } from "@/components/table-rows";
import { useTRPC } from "@/components/trpc";

const kinds: Record<string, string> = {
  payin: "Sale",
  release: "Funds released",
  refund: "Refund",
  "refund.reversal": "Refund reversed",
  payout: "Payout",
  "payout.reversal": "Payout returned",
};

// Where a new seller's first lines will come from, for each balance.
const emptyHints = {
  pending: "Each paid order adds a sale here, held until the order has shipped and its hold has passed.",
  available:
    "Sales move here from your pending balance once the order has shipped and its hold has passed; payouts are paid from here.",
};

type Bucket = "available" | "pending";

export function SellerStatement() {
  const trpc = useTRPC();
  const [bucket, setBucket] = useState<Bucket>("available");
  const period = useStatementPeriod();
  const input = { bucket, ...period.input };
  const totals = useQuery(trpc.wallet.statementTotals.queryOptions(input));
  const statement = useInfiniteQuery(
    trpc.wallet.statement.infiniteQueryOptions(
      { ...input, limit: 50 },
      { getNextPageParam: (page) => page.nextCursor },
    ),
  );
  const lines = statement.data?.pages.flatMap((page) => page.lines) ?? [];
  const exportQuery = new URLSearchParams({
    bucket,
    ...(period.input.from && { from: period.input.from }),
    ...(period.input.to && { to: period.input.to }),
  });

  return (
    <>
      <PeriodForm
        period={period}
        error={statement.error ?? totals.error}
        actions={
          <a className="button secondary" href={`/api/seller/statement.csv?${exportQuery}`} download>
            Export CSV
          </a>
        }
      >
        <label>
          Balance
          <select value={bucket} onChange={(event) => setBucket(event.target.value as Bucket)}>
            <option value="available">Available balance</option>
            <option value="pending">Pending balance</option>
          </select>
        </label>
      </PeriodForm>
      <PeriodTotals totals={totals.data} period={period.applied} />
      <table aria-label="Statement">
        <thead>
          <tr>
            <th>When</th>
            <th>What</th>
            <th>Reference</th>
            <th className="num">Amount</th>
            <th className="num">Balance</th>
          </tr>
        </thead>
        <tbody>
          {lines.map((line) => (
            <tr key={String(line.entryId)}>
              <td>{formatDateTime(line.createdAt)}</td>
              <td>{kinds[line.kind] ?? line.kind}</td>
              <td className="muted">{line.reference.slice(0, 8)}</td>
              <td className="num">{formatMoney(line.change)}</td>
              <td className="num">{formatMoney(line.balance)}</td>
            </tr>
          ))}
          {statement.isPending && <SkeletonRows rows={3} columns={5} />}
          {!statement.isPending && lines.length === 0 && period.dated && (
            <EmptyRow columns={5} title="No lines in this period">
              <button type="button" className="secondary" onClick={period.clear}>
                Show all time
              </button>
            </EmptyRow>
          )}
          {!statement.isPending && lines.length === 0 && !period.dated && (
            <EmptyRow columns={5} title="Nothing in this balance yet">
              {emptyHints[bucket]}
              {bucket === "available" && (
                <div>
                  <button type="button" className="secondary" onClick={() => setBucket("pending")}>
                    Show the pending balance
                  </button>
                </div>
              )}
            </EmptyRow>
          )}
        </tbody>
      </table>
      <LoadMore query={statement} />
    </>
  );
}
