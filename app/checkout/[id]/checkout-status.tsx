"use client";
import { useMutation, useQuery } from "@tanstack/react-query";
import Link from "next/link";
import { formatDateTime, formatMoney, itemsSummary } from "@/components/format";
import { StatusBadge } from "@/components/status-badge";
import { useTRPC } from "@/components/trpc";

const headline: Record<string, string> = {
  EXECUTING: "Waiting for your payment",
  SUCCEEDED: "Thank you — your payment went through",
  FAILED: "Your payment did not go through",
  IN_REVIEW: "We are reviewing your order",
  BLOCKED: "We cannot accept this payment",
  REJECTED: "We cannot accept this payment",
};

export function CheckoutStatus({ checkoutId }: { checkoutId: string }) {
  const trpc = useTRPC();
  const status = useQuery({
    ...trpc.payin.checkoutStatus.queryOptions({ checkoutId }),
    // Live status without a reload: poll while the outcome is open.
    refetchInterval: (query) =>
      ["EXECUTING", "IN_REVIEW"].includes(query.state.data?.status ?? "EXECUTING") ? 1500 : false,
  });
  const retry = useMutation(trpc.payin.retryCheckout.mutationOptions({ onSuccess: () => status.refetch() }));
  const checkout = status.data;
  if (status.error) return <p className="error">{status.error.message}</p>;
  if (!checkout) return <p className="muted">Loading your payment…</p>;
  const refunds = checkout.orders.flatMap((order) =>
    order.refunds.map((refund) => ({ ...refund, sellerName: order.sellerName })),
  );
  return (
    <div className="panel" style={{ maxWidth: 720 }}>
      <div className="row">
        <h1 style={{ margin: 0 }} data-testid="checkout-headline">
          {headline[checkout.status]}
        </h1>
        <span className="spacer" />
        <StatusBadge status={checkout.status} />
      </div>
      <p className="muted">
        Checkout {checkout.id.slice(0, 8)} · total{" "}
        <strong>{formatMoney(checkout.totalAmount, checkout.currency)}</strong>
      </p>
      {checkout.failureMessage && (
        <p className={checkout.status === "EXECUTING" ? "notice" : "error"} role="alert">
          {checkout.failureMessage}
        </p>
      )}
      {checkout.status === "IN_REVIEW" && (
        <p className="notice">
          Our team checks orders like this one before anything is charged. This page updates by itself: once
          the order is approved, you can continue to payment.
        </p>
      )}
      {checkout.status === "EXECUTING" && checkout.pspSessionUrl && (
        <a className="button" href={checkout.pspSessionUrl}>
          {checkout.failureMessage ? "Try another card" : "Continue to payment"}
        </a>
      )}
      {checkout.status === "EXECUTING" && !checkout.pspSessionUrl && (
        <p className="muted">Preparing the secure payment page…</p>
      )}
      {checkout.status === "FAILED" && (
        <button type="button" onClick={() => retry.mutate({ checkoutId })} disabled={retry.isPending}>
          Try again
        </button>
      )}
      <table style={{ marginTop: "1.25rem" }}>
        <thead>
          <tr>
            <th>Seller</th>
            <th>Items</th>
            <th className="num">Amount</th>
            <th>Status</th>
          </tr>
        </thead>
        <tbody>
          {checkout.orders.map((order) => (
            <tr key={order.id}>
              <td>{order.sellerName}</td>
              <td>{itemsSummary(order.items)}</td>
              <td className="num">
                {formatMoney(order.amount, order.currency)}
                {order.refundedAmount > 0n && (
                  <div className="subline">{formatMoney(order.refundedAmount, order.currency)} refunded</div>
                )}
              </td>
              <td>
                {/* A paid order the seller has sent off: what the buyer waits for next. */}
                <StatusBadge status={order.shippedAt ? "SHIPPED" : order.status} />
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      {refunds.length > 0 && (
        <>
          <h2 style={{ marginTop: "1.5rem" }}>Refunds</h2>
          <table aria-label="Refunds">
            <thead>
              <tr>
                <th>Requested</th>
                <th>Seller</th>
                <th className="num">Amount</th>
                <th>Status</th>
              </tr>
            </thead>
            <tbody>
              {refunds.map((refund) => (
                <tr key={refund.id}>
                  <td>{formatDateTime(refund.createdAt)}</td>
                  <td>{refund.sellerName}</td>
                  <td className="num">{formatMoney(refund.amount, checkout.currency)}</td>
                  <td>
                    <StatusBadge status={refund.status} plain />
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
          <p className="muted">
            A refund goes back to the card you paid with, usually within 5–10 business days.
          </p>
        </>
      )}
      <p style={{ marginTop: "1rem" }}>
        <Link href="/shop">Back to the shop</Link> · <Link href="/shop/orders">All my payments</Link>
      </p>
    </div>
  );
}
