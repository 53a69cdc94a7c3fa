"use client";
import { useMutation, useQuery } from "@tanstack/react-query";
import Link from "next/link";
import { errorText, formatDateTime, formatMoney, shortId } from "@/components/format";
import { Postings, Timeline } from "@/components/order-history";
import { Stat } from "@/components/stat";
import { StatusBadge } from "@/components/status-badge";
import { useTRPC } from "@/components/trpc";

export function SellerOrderDetail({ paymentOrderId }: { paymentOrderId: string }) {
  const trpc = useTRPC();
  const order = useQuery(trpc.payin.sellerOrder.queryOptions({ paymentOrderId }, { refetchInterval: 5000 }));
  const ship = useMutation(trpc.payin.markShipped.mutationOptions({ onSuccess: () => order.refetch() }));
  const back = (
    <Link href="/seller" className="back">
      ← Overview
    </Link>
  );
  if (order.error)
    return (
      <>
        {back}
        <p className="error" role="alert">
          {order.error.data?.code === "NOT_FOUND" || order.error.data?.code === "BAD_REQUEST"
            ? "This order does not exist or is not yours."
            : errorText(order.error)}
        </p>
      </>
    );
  if (!order.data)
    return (
      <>
        {back}
        <p className="muted">Loading order…</p>
      </>
    );
  const data = order.data;
  const items = data.items as { name: string; quantity: number; unitPrice: string }[];
  return (
    <>
      {back}
      <div className="page-head">
        <h1>
          Order <span className="mono">{shortId(data.id)}</span>
        </h1>
        <StatusBadge status={data.status} />
        {data.releasedAt && <span className="badge good">Funds available</span>}
        {data.availableAt && <span className="badge">Shipped</span>}
        <span className="spacer" />
        {data.status === "SUCCESS" && !data.shippedAt && !data.releasedAt && (
          <button type="button" onClick={() => ship.mutate({ paymentOrderId })} disabled={ship.isPending}>
            Mark shipped
          </button>
        )}
      </div>
      {ship.error && (
        <p className="error" role="alert">
          {errorText(ship.error)}
        </p>
      )}
      <div className="grid">
        <Stat
          label="Amount"
          value={formatMoney(data.amount, data.currency)}
          sub={formatDateTime(data.createdAt)}
        />
        <Stat label="Commission" value={formatMoney(data.commission, data.currency)} />
        <Stat
          label="Your share"
          value={formatMoney(data.amount - data.commission, data.currency)}
          sub={shareLine(data)}
        />
        <Stat label="Refunded" value={formatMoney(data.refundedAmount, data.currency)} />
      </div>

      <div className="columns" style={{ marginTop: "1.5rem" }}>
        <section className="panel">
          <h2>Timeline</h2>
          <Timeline transitions={data.transitions} />
        </section>
        <section className="panel">
          <h2>Items</h2>
          <dl className="kv">
            {items.map((item) => (
              <div key={item.name} style={{ display: "contents" }}>
                <dt>
                  {item.name} × {item.quantity}
                </dt>
                <dd className="num" style={{ textAlign: "right", fontVariantNumeric: "tabular-nums" }}>
                  {formatMoney(BigInt(item.unitPrice) * BigInt(item.quantity), data.currency)}
                </dd>
              </div>
            ))}
            <dt>Order id</dt>
            <dd>
              <code className="id">{data.id}</code>
            </dd>
            {data.failureReason && (
              <>
                <dt>Failure</dt>
                <dd>{data.failureReason}</dd>
              </>
            )}
          </dl>
        </section>
      </div>

      <div className="section-head">
        <h2>Ledger postings</h2>
        <span className="muted">every movement of this order's money, debits = credits</span>
      </div>
      <Postings postings={data.postings} currency={data.currency} />

      {data.refunds.length > 0 && (
        <>
          <h2>Refunds</h2>
          <table aria-label="Refunds">
            <thead>
              <tr>
                <th>Requested</th>
                <th className="num">Amount</th>
                <th>Reason</th>
                <th>Status</th>
              </tr>
            </thead>
            <tbody>
              {data.refunds.map((refund) => (
                <tr key={refund.id}>
                  <td>{formatDateTime(refund.createdAt)}</td>
                  <td className="num">{formatMoney(refund.amount, refund.currency)}</td>
                  <td>{refund.reason}</td>
                  <td>
                    <StatusBadge status={refund.status} plain />
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </>
      )}
    </>
  );
}

/** Where the seller's share stands: released, on hold after shipping, or waiting to ship. */
function shareLine(order: { shippedAt: Date | null; releasedAt: Date | null; availableAt: Date | null }) {
  if (order.releasedAt) {
    const shipped = order.shippedAt ? `shipped ${formatDateTime(order.shippedAt)}; ` : "";
    return `${shipped}released ${formatDateTime(order.releasedAt)}`;
  }
  if (order.availableAt) return `shipped; available ${formatDateTime(order.availableAt)}`;
  return "pending; the hold starts when you ship";
}
