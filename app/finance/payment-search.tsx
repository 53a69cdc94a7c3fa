"use client";
import { useInfiniteQuery } from "@tanstack/react-query";
import Link from "next/link";
import { useState } from "react";
import { formatDateTime, formatMoney } from "@/components/format";
import { StatusBadge } from "@/components/status-badge";
import { useTRPC } from "@/components/trpc";

const statuses = ["", "EXECUTING", "SUCCEEDED", "FAILED", "IN_REVIEW", "BLOCKED", "REJECTED"] as const;

export function PaymentSearch() {
  const trpc = useTRPC();
  const [status, setStatus] = useState<(typeof statuses)[number]>("");
  const [query, setQuery] = useState("");
  const payments = useInfiniteQuery(
    trpc.payin.search.infiniteQueryOptions(
      { status: status || undefined, query: query || undefined, limit: 25 },
      { getNextPageParam: (page) => page.nextCursor },
    ),
  );
  const rows = payments.data?.pages.flatMap((page) => page.items) ?? [];
  return (
    <>
      <div className="row" style={{ marginBottom: "1rem" }}>
        <input
          placeholder="Checkout, order, payment intent or charge id"
          value={query}
          onChange={(event) => setQuery(event.target.value)}
          style={{ minWidth: 360 }}
          aria-label="Search payments"
        />
        <select
          value={status}
          onChange={(event) => setStatus(event.target.value as typeof status)}
          aria-label="Status"
        >
          {statuses.map((value) => (
            <option key={value} value={value}>
              {value ? value.replaceAll("_", " ").toLowerCase() : "any status"}
            </option>
          ))}
        </select>
      </div>
      <table>
        <thead>
          <tr>
            <th>Date</th>
            <th>Buyer</th>
            <th>Orders</th>
            <th className="num">Total</th>
            <th>Status</th>
          </tr>
        </thead>
        <tbody>
          {rows.map((payment) => (
            <tr key={payment.id}>
              <td>{formatDateTime(payment.createdAt)}</td>
              <td>{payment.buyerEmail}</td>
              <td>
                {payment.orders.map((order) => (
                  <div key={order.id}>
                    <Link href={`/finance/orders/${order.id}`}>{order.id.slice(0, 8)}</Link>{" "}
                    <span className="muted">{formatMoney(order.amount, order.currency)}</span>
                    {order.refundedAmount > 0n && (
                      <span className="badge warn" style={{ marginLeft: 6 }}>
                        refunded {formatMoney(order.refundedAmount, order.currency)}
                      </span>
                    )}
                  </div>
                ))}
              </td>
              <td className="num">{formatMoney(payment.totalAmount, payment.currency)}</td>
              <td>
                <StatusBadge status={payment.status} />
                {payment.failureMessage && (
                  <div className="muted" style={{ fontSize: "0.8rem" }}>
                    {payment.failureMessage}
                  </div>
                )}
              </td>
            </tr>
          ))}
          {rows.length === 0 && !payments.isLoading && (
            <tr>
              <td colSpan={5} className="muted">
                No payments match.
              </td>
            </tr>
          )}
        </tbody>
      </table>
      {payments.hasNextPage && (
        <button
          type="button"
          className="secondary"
          style={{ marginTop: "1rem" }}
          onClick={() => payments.fetchNextPage()}
        >
          Load more
        </button>
      )}
    </>
  );
}
