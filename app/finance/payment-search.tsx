"use client";
import { useInfiniteQuery } from "@tanstack/react-query";
import Link from "next/link";
import { type FormEvent, useState } from "react";
import { FilterActions, useFilters } from "@/components/filters";
import { countOf, errorText, formatDateTime, formatMoney, parseMoney, shortId } from "@/components/format";
import { LoadMore } from "@/components/load-more";
import { StatusBadge } from "@/components/status-badge";
import { FilteredEmptyRow, SkeletonRows } from "@/components/table-rows";
import { useTRPC } from "@/components/trpc";

const statuses = [
  ["", "Any status"],
  ["SUCCEEDED", "Paid"],
  ["EXECUTING", "Awaiting payment"],
  ["FAILED", "Failed"],
  ["IN_REVIEW", "In review"],
  ["BLOCKED", "Blocked"],
  ["REJECTED", "Rejected"],
] as const;
type Status = (typeof statuses)[number][0];

interface Filters {
  query: string;
  buyer: string;
  seller: string;
  status: Status;
  minAmount: string;
  maxAmount: string;
  from: string;
  to: string;
}
const noFilters: Filters = {
  query: "",
  buyer: "",
  seller: "",
  status: "",
  minAmount: "",
  maxAmount: "",
  from: "",
  to: "",
};

/** The applied filters as the procedure's input: empty fields are left out. */
function toInput(filters: Filters) {
  const amount = (text: string) => (text.trim() ? (parseMoney(text) ?? undefined) : undefined);
  return {
    query: filters.query.trim() || undefined,
    buyer: filters.buyer.trim() || undefined,
    seller: filters.seller.trim() || undefined,
    status: filters.status || undefined,
    minAmount: amount(filters.minAmount),
    maxAmount: amount(filters.maxAmount),
    from: filters.from || undefined,
    to: filters.to || undefined,
    limit: 25,
  };
}

export function PaymentSearch() {
  const trpc = useTRPC();
  const filters = useFilters(noFilters);
  const { draft, applied, active, field } = filters;
  const [formError, setFormError] = useState<string | null>(null);
  const payments = useInfiniteQuery(
    trpc.payin.search.infiniteQueryOptions(toInput(applied), { getNextPageParam: (page) => page.nextCursor }),
  );
  const rows = payments.data?.pages.flatMap((page) => page.items) ?? [];

  function apply(event: FormEvent) {
    event.preventDefault();
    const bad = (["minAmount", "maxAmount"] as const).find(
      (name) => draft[name].trim() && parseMoney(draft[name]) === null,
    );
    if (bad) {
      setFormError(`Enter the ${bad === "minAmount" ? "minimum" : "maximum"} amount like 12.50`);
      return;
    }
    setFormError(null);
    filters.apply();
  }
  function reset() {
    filters.clear();
    setFormError(null);
  }

  return (
    <>
      <div className="section-head">
        <h2>Search</h2>
        <span className="muted">newest first{active > 0 && ` · ${countOf(active, "filter")}`}</span>
      </div>
      <form className="filters" onSubmit={apply} aria-label="Filter payments">
        <label>
          Checkout, order or PSP id
          <input
            {...field("query")}
            type="search"
            placeholder="Short id, pi_…, ch_…, re_…"
            style={{ width: 230 }}
          />
        </label>
        <label>
          Buyer email
          <input {...field("buyer")} type="search" placeholder="name@example.com" style={{ width: 210 }} />
        </label>
        <label>
          Seller
          <input {...field("seller")} type="search" placeholder="name or id" style={{ width: 160 }} />
        </label>
        <label>
          Status
          <select {...field("status")}>
            {statuses.map(([value, label]) => (
              <option key={value} value={value}>
                {label}
              </option>
            ))}
          </select>
        </label>
        <label>
          Min amount
          <input {...field("minAmount")} className="money" inputMode="decimal" placeholder="0.00" />
        </label>
        <label>
          Max amount
          <input {...field("maxAmount")} className="money" inputMode="decimal" placeholder="any" />
        </label>
        <label>
          From
          <input {...field("from")} type="date" />
        </label>
        <label>
          To
          <input {...field("to")} type="date" />
        </label>
        <FilterActions active={active > 0} onClear={reset} submitLabel="Search" />
        {(formError || payments.error) && (
          <p className="error" role="alert">
            {formError ?? errorText(payments.error)}
          </p>
        )}
      </form>
      <table aria-label="Payments">
        <thead>
          <tr>
            <th>Date</th>
            <th>Checkout</th>
            <th>Buyer</th>
            <th>Orders</th>
            <th className="num">Total</th>
            <th>Status</th>
          </tr>
        </thead>
        <tbody>
          {rows.map((payment) => (
            <tr key={payment.id}>
              <td className="nowrap">{formatDateTime(payment.createdAt)}</td>
              <td>
                <span className="mono">{shortId(payment.id)}</span>
              </td>
              <td>{payment.buyerEmail}</td>
              <td>
                {payment.orders.map((order) => (
                  <div key={order.id} className="row" style={{ gap: "0.4rem", flexWrap: "nowrap" }}>
                    <Link href={`/finance/orders/${order.id}`} className="mono">
                      {shortId(order.id)}
                    </Link>
                    <span className="nowrap">{order.sellerName}</span>
                    <span className="muted">{formatMoney(order.amount, order.currency)}</span>
                    {order.refundedAmount > 0n && (
                      <span className="badge warn">
                        Refunded {formatMoney(order.refundedAmount, order.currency)}
                      </span>
                    )}
                  </div>
                ))}
              </td>
              <td className="num">{formatMoney(payment.totalAmount, payment.currency)}</td>
              <td>
                <StatusBadge status={payment.status} />
                {payment.failureMessage && <div className="subline">{payment.failureMessage}</div>}
              </td>
            </tr>
          ))}
          {payments.isPending && <SkeletonRows rows={4} columns={6} />}
          {!payments.isPending && rows.length === 0 && (
            <FilteredEmptyRow
              columns={6}
              noun="payments"
              filtered={active > 0}
              onClearFilters={reset}
              hint="Checkouts appear here as buyers pay."
            />
          )}
        </tbody>
      </table>
      <div className="table-foot">
        <span>{rows.length > 0 && `${countOf(rows.length, "payment")} shown`}</span>
        <LoadMore query={payments} />
      </div>
    </>
  );
}
