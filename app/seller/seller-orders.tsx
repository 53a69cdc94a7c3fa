"use client";
import { useInfiniteQuery, useMutation } from "@tanstack/react-query";
import Link from "next/link";
import { FilterActions, useFilters } from "@/components/filters";
import { countOf, errorText, formatDateTime, formatMoney, itemsSummary, shortId } from "@/components/format";
import { LoadMore } from "@/components/load-more";
import { StatusBadge } from "@/components/status-badge";
import { FilteredEmptyRow, SkeletonRows } from "@/components/table-rows";
import { useTRPC } from "@/components/trpc";

const statuses = [
  ["", "Any status"],
  ["SUCCESS", "Paid"],
  ["EXECUTING", "Awaiting payment"],
  ["FAILED", "Failed"],
  ["NOT_STARTED", "Not started"],
] as const;
type Status = (typeof statuses)[number][0];
interface Filters {
  status: Status;
  orderId: string;
  from: string;
  to: string;
}
const noFilters: Filters = { status: "", orderId: "", from: "", to: "" };

export function SellerOrders() {
  const trpc = useTRPC();
  const filters = useFilters(noFilters);
  const { applied, field } = filters;
  const orders = useInfiniteQuery(
    trpc.payin.sellerOrderSearch.infiniteQueryOptions(
      {
        status: applied.status || undefined,
        orderId: applied.orderId.trim() || undefined,
        from: applied.from || undefined,
        to: applied.to || undefined,
        limit: 20,
      },
      { getNextPageParam: (page) => page.nextCursor, refetchInterval: 10_000 },
    ),
  );
  const ship = useMutation(trpc.payin.markShipped.mutationOptions({ onSuccess: () => orders.refetch() }));
  const rows = orders.data?.pages.flatMap((page) => page.items) ?? [];
  const filtered = filters.active > 0;

  return (
    <>
      <div className="section-head">
        <h2>Orders</h2>
        <span className="muted">newest first</span>
      </div>
      <form className="filters" onSubmit={filters.apply} aria-label="Filter orders">
        <label>
          Order id
          <input className="mono" placeholder="e.g. 1a295295" {...field("orderId")} style={{ width: 190 }} />
        </label>
        <label>
          Status
          <select
            value={filters.draft.status}
            onChange={(event) => filters.choose("status", event.target.value as Status)}
          >
            {statuses.map(([value, label]) => (
              <option key={value} value={value}>
                {label}
              </option>
            ))}
          </select>
        </label>
        <label>
          From
          <input type="date" {...field("from")} />
        </label>
        <label>
          To
          <input type="date" {...field("to")} />
        </label>
        <FilterActions active={filtered} onClear={filters.clear} />
        {orders.error && (
          <p className="error" role="alert">
            {errorText(orders.error)}
          </p>
        )}
      </form>
      <table aria-label="Orders">
        <thead>
          <tr>
            <th>Date</th>
            <th>Order</th>
            <th>Items</th>
            <th className="num">Amount</th>
            <th className="num">Commission</th>
            <th className="num">Your share</th>
            <th>Status</th>
            <th>Funds</th>
          </tr>
        </thead>
        <tbody>
          {rows.map((order) => (
            <tr key={order.id}>
              <td className="nowrap">{formatDateTime(order.createdAt)}</td>
              <td>
                <Link
                  href={`/seller/orders/${order.id}`}
                  className="mono"
                  aria-label={`Order ${shortId(order.id)}`}
                >
                  {shortId(order.id)}
                </Link>
              </td>
              <td>{itemsSummary(order.items)}</td>
              <td className="num">{formatMoney(order.amount, order.currency)}</td>
              <td className="num muted">{formatMoney(order.commission, order.currency)}</td>
              <td className="num">{formatMoney(order.amount - order.commission, order.currency)}</td>
              <td>
                <StatusBadge status={order.status} />
                {order.refundedAmount > 0n && (
                  <div className="subline">refunded {formatMoney(order.refundedAmount, order.currency)}</div>
                )}
              </td>
              <td>
                {order.status === "SUCCESS" &&
                  (order.releasedAt ? (
                    <span className="badge good">Available</span>
                  ) : order.availableAt ? (
                    <>
                      <span className="badge">Shipped</span>
                      <div className="subline">available {formatDateTime(order.availableAt)}</div>
                    </>
                  ) : (
                    <button
                      type="button"
                      className="secondary nowrap"
                      style={{ padding: "0.25rem 0.6rem", fontSize: "0.85rem" }}
                      disabled={ship.isPending && ship.variables?.paymentOrderId === order.id}
                      onClick={() => ship.mutate({ paymentOrderId: order.id })}
                    >
                      Mark shipped
                    </button>
                  ))}
              </td>
            </tr>
          ))}
          {orders.isPending && <SkeletonRows rows={3} columns={8} />}
          {!orders.isPending && rows.length === 0 && (
            <FilteredEmptyRow
              columns={8}
              noun="orders"
              filtered={filtered}
              onClearFilters={filters.clear}
              hint="Orders appear here as soon as a buyer checks out."
            />
          )}
        </tbody>
      </table>
      <div className="table-foot">
        <span>{rows.length > 0 && `${countOf(rows.length, "order")} shown`}</span>
        <LoadMore query={orders} />
      </div>
    </>
  );
}
