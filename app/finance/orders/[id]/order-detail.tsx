"use client";
import { useMutation, useQuery } from "@tanstack/react-query";
import Link from "next/link";
import { type FormEvent, type ReactNode, useState } from "react";
import { errorText, formatDateTime, formatMoney, parseMoney, shortId } from "@/components/format";
import { Postings, Timeline } from "@/components/order-history";
import { Stat } from "@/components/stat";
import { StatusBadge } from "@/components/status-badge";
import { EmptyRow } from "@/components/table-rows";
import { useTRPC } from "@/components/trpc";

/** An id people copy into the PSP dashboard or a ticket; a dash when the PSP has not made it yet. */
const Id = ({ value }: { value: string | null | undefined }): ReactNode =>
  value ? <code className="id">{value}</code> : <span className="muted">—</span>;

export function OrderDetail({ paymentOrderId }: { paymentOrderId: string }) {
  const trpc = useTRPC();
  const order = useQuery(trpc.payin.order.queryOptions({ paymentOrderId }, { refetchInterval: 2000 }));
  const [key, setKey] = useState(() => crypto.randomUUID());
  const [message, setMessage] = useState<{ kind: "error" | "success"; text: string } | null>(null);
  const refund = useMutation(
    trpc.payin.refund.mutationOptions({
      onSuccess: () => {
        setMessage({ kind: "success", text: "Refund requested." });
        setKey(crypto.randomUUID());
        order.refetch();
      },
      onError: (failure) => setMessage({ kind: "error", text: errorText(failure) }),
    }),
  );
  const back = (
    <Link href="/finance" className="back">
      ← Payments
    </Link>
  );
  if (!order.data)
    return (
      <>
        {back}
        {order.error ? (
          <p className="error" role="alert">
            {order.error.data?.code === "NOT_FOUND"
              ? "No payment order has this id."
              : errorText(order.error)}
          </p>
        ) : (
          <p className="muted">Loading order…</p>
        )}
      </>
    );
  const data = order.data;
  const refundable = data.amount - data.refundedAmount;

  function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    const amount = parseMoney(String(form.get("amount")));
    if (amount === null || amount <= 0n) {
      setMessage({ kind: "error", text: "Enter an amount like 12.50" });
      return;
    }
    const password = String(form.get("password") ?? "");
    refund.mutate({
      paymentOrderId,
      amount,
      reason: String(form.get("reason")),
      idempotencyKey: key,
      password: password || undefined,
    });
  }

  const event = data.paymentEvent;
  const pspRefundIds = data.refunds.map((item) => item.pspRefundId).filter((id): id is string => Boolean(id));
  return (
    <>
      {back}
      <div className="page-head">
        <h1>
          Order <span className="mono">{shortId(data.id)}</span>
        </h1>
        <StatusBadge status={data.status} />
        {data.releasedAt && <span className="badge good">Released to seller</span>}
        {data.shippedAt && !data.releasedAt && <span className="badge">Shipped, on hold</span>}
      </div>
      <div className="grid">
        <Stat
          label="Amount"
          value={formatMoney(data.amount, data.currency)}
          sub={formatDateTime(data.createdAt)}
        />
        <Stat label="Commission" value={formatMoney(data.commission, data.currency)} />
        <Stat label="Seller's share" value={formatMoney(data.amount - data.commission, data.currency)} />
        <Stat
          label="Refunded"
          value={formatMoney(data.refundedAmount, data.currency)}
          sub={`${formatMoney(refundable, data.currency)} left to refund`}
        />
      </div>

      <div className="columns" style={{ marginTop: "1.5rem" }}>
        <section className="panel" aria-label="Payment">
          <h2>Payment</h2>
          <dl className="kv">
            <dt>Checkout</dt>
            <dd>
              <Id value={event.id} /> <StatusBadge status={event.status} />
            </dd>
            <dt>Buyer</dt>
            <dd>{data.buyerEmail}</dd>
            <dt>Seller</dt>
            <dd>{data.sellerName}</dd>
            <dt>Attempt</dt>
            <dd>{event.attempt}</dd>
            {data.failureReason && (
              <>
                <dt>Failure</dt>
                <dd>{data.failureReason}</dd>
              </>
            )}
          </dl>
        </section>
        <section className="panel" aria-label="PSP objects">
          <h2>PSP objects</h2>
          <dl className="kv">
            <dt>Checkout session</dt>
            <dd>
              <Id value={event.pspSessionId} />
            </dd>
            <dt>Payment intent</dt>
            <dd>
              <Id value={event.pspPaymentIntentId} />
            </dd>
            <dt>Charge</dt>
            <dd>
              <Id value={event.pspChargeId} />
            </dd>
            {pspRefundIds.length > 0 && (
              <>
                <dt>Refunds</dt>
                <dd style={{ display: "grid", gap: 4, justifyItems: "start" }}>
                  {pspRefundIds.map((id) => (
                    <Id key={id} value={id} />
                  ))}
                </dd>
              </>
            )}
          </dl>
        </section>
      </div>

      <div className="columns" style={{ marginTop: "1rem" }}>
        <section className="panel">
          <h2>Timeline</h2>
          <Timeline transitions={data.transitions} />
        </section>
        {data.status === "SUCCESS" && refundable > 0n && (
          <form className="panel stack" onSubmit={submit}>
            <h2 style={{ margin: 0 }}>Refund</h2>
            <label>
              Amount (up to {formatMoney(refundable, data.currency)})
              <input name="amount" inputMode="decimal" required defaultValue="" placeholder="12.50" />
            </label>
            <label>
              Reason
              <input name="reason" required minLength={3} placeholder="Item arrived damaged" />
            </label>
            <label>
              Your password (needed above the step-up threshold)
              <input name="password" type="password" autoComplete="current-password" />
            </label>
            {message && (
              <p
                className={message.kind}
                role={message.kind === "error" ? "alert" : "status"}
                style={{ margin: 0 }}
              >
                {message.text}
              </p>
            )}
            <button type="submit" disabled={refund.isPending}>
              Refund
            </button>
          </form>
        )}
      </div>

      <h2>Refunds</h2>
      <table aria-label="Refunds">
        <thead>
          <tr>
            <th>Requested</th>
            <th className="num">Amount</th>
            <th>Reason</th>
            <th>PSP refund</th>
            <th>Status</th>
          </tr>
        </thead>
        <tbody>
          {data.refunds.map((item) => (
            <tr key={item.id}>
              <td className="nowrap">{formatDateTime(item.createdAt)}</td>
              <td className="num">{formatMoney(item.amount, item.currency)}</td>
              <td>{item.reason}</td>
              <td>
                <Id value={item.pspRefundId} />
              </td>
              <td>
                <StatusBadge status={item.status} plain />
                {item.failureReason && <div className="muted">{item.failureReason}</div>}
              </td>
            </tr>
          ))}
          {data.refunds.length === 0 && <EmptyRow columns={5}>No refunds.</EmptyRow>}
        </tbody>
      </table>

      <div className="section-head">
        <h2>Ledger postings</h2>
        <span className="muted">pay-in, release and refunds of this order</span>
      </div>
      <Postings postings={data.postings} currency={data.currency} />

      <div className="section-head">
        <h2>Webhook events</h2>
        <span className="muted">received from the PSP for this checkout and its refunds</span>
      </div>
      <table aria-label="Webhook events">
        <thead>
          <tr>
            <th>Received</th>
            <th>Type</th>
            <th>Object</th>
            <th>Event id</th>
            <th>Processed</th>
          </tr>
        </thead>
        <tbody>
          {data.webhookEvents.map((webhook) => (
            <tr key={webhook.id}>
              <td className="nowrap">{formatDateTime(webhook.receivedAt)}</td>
              <td className="mono">{webhook.type}</td>
              <td>
                <Id value={webhook.objectId} />
              </td>
              <td className="mono muted">{webhook.id}</td>
              <td>
                {webhook.processedAt ? (
                  <span className="badge good">Processed</span>
                ) : (
                  <span className="badge warn">Queued</span>
                )}
              </td>
            </tr>
          ))}
          {data.webhookEvents.length === 0 && (
            <EmptyRow columns={5} title="No webhook events yet">
              The PSP reports the payment here once the buyer pays.
            </EmptyRow>
          )}
        </tbody>
      </table>
    </>
  );
}
