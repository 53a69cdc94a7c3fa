"use client";
import { useInfiniteQuery } from "@tanstack/react-query";
import Link from "next/link";
import { formatDateTime, formatMoney, itemsSummary } from "@/components/format";
import { LoadMore } from "@/components/load-more";
import { StatusBadge } from "@/components/status-badge";
import { EmptyRow, SkeletonRows } from "@/components/table-rows";
import { useTRPC } from "@/components/trpc";

/** The buyer's checkouts, newest first, a page at a time. */
export function MyPayments() {
  const trpc = useTRPC();
  const checkouts = useInfiniteQuery(
    trpc.payin.myCheckouts.infiniteQueryOptions(
      { limit: 25 },
      { getNextPageParam: (page) => page.nextCursor },
    ),
  );
  const rows = checkouts.data?.pages.flatMap((page) => page.items) ?? [];
  return (
    <>
      <table aria-label="My payments">
        <thead>
          <tr>
            <th>Date</th>
            <th>Checkout</th>
            <th>Items</th>
            <th className="num">Total</th>
            <th className="num">Refunded</th>
            <th>Status</th>
          </tr>
        </thead>
        <tbody>
          {rows.map((checkout) => (
            <tr key={checkout.id}>
              <td>{formatDateTime(checkout.createdAt)}</td>
              <td>
                <Link href={`/checkout/${checkout.id}`}>{checkout.id.slice(0, 8)}</Link>
              </td>
              <td>
                {checkout.orders.map((order) => (
                  <div key={order.id}>
                    {itemsSummary(order.items)} <span className="muted">from {order.sellerName}</span>
                  </div>
                ))}
              </td>
              <td className="num">{formatMoney(checkout.totalAmount, checkout.currency)}</td>
              <td className="num">
                {checkout.refundedAmount > 0n ? formatMoney(checkout.refundedAmount, checkout.currency) : "—"}
              </td>
              <td>
                <StatusBadge status={checkout.status} />
              </td>
            </tr>
          ))}
          {checkouts.isPending && <SkeletonRows rows={3} columns={6} />}
          {!checkouts.isPending && rows.length === 0 && (
            <EmptyRow columns={6} title="No payments yet.">
              {" "}
              <Link href="/shop">Visit the shop</Link>
            </EmptyRow>
          )}
        </tbody>
      </table>
      <LoadMore query={checkouts} />
    </>
  );
}
