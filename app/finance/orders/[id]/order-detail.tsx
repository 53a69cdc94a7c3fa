"use client";
import { useMutation, useQuery } from "@tanstack/react-query";
import { type FormEvent, useState } from "react";
import { formatDateTime, formatMoney } from "@/components/format";
import { StatusBadge } from "@/components/status-badge";
import { useTRPC } from "@/components/trpc";

/** Parses "12.34" into minor units exactly (no floats); null when it is not an amount. */
function parseAmount(text: string): bigint | null {
  const match = /^\s*(\d{1,12})(?:\.(\d{1,2}))?\s*$/.exec(text);
  if (!match) return null;
  return BigInt(match[1]!) * 100n + BigInt((match[2] ?? "").padEnd(2, "0"));
}

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
      onError: (failure) => setMessage({ kind: "error", text: failure.message }),
    }),
  );
  if (!order.data) return <p className="muted">{order.error?.message ?? "Loading…"}</p>;
  const data = order.data;
  const refundable = data.amount - data.refundedAmount;

  function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    const amount = parseAmount(String(form.get("amount")));
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

  return (
    <>
      <div className="row">
        <h1 style={{ margin: 0 }}>Order {data.id.slice(0, 8)}</h1>
        <StatusBadge status={data.status} />
      </div>
      <div className="grid" style={{ margin: "1rem 0" }}>
        <div className="stat">
          <div className="label">Amount</div>
          <div className="value">{formatMoney(data.amount, data.currency)}</div>
        </div>
        <div className="stat">
          <div className="label">Commission</div>
          <div className="value">{formatMoney(data.commission, data.currency)}</div>
        </div>
        <div className="stat">
          <div className="label">Refunded</div>
          <div className="value">{formatMoney(data.refundedAmount, data.currency)}</div>
        </div>
        <div className="stat">
          <div className="label">PSP payment</div>
          <div className="value" style={{ fontSize: "0.9rem" }}>
            {data.paymentEvent.pspPaymentIntentId ?? "—"}
          </div>
        </div>
      </div>
      {data.status === "SUCCESS" && refundable > 0n && (
        <form className="panel stack" onSubmit={submit} style={{ maxWidth: 520 }}>
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
            <p className={message.kind} role={message.kind === "error" ? "alert" : "status"}>
              {message.text}
            </p>
          )}
          <button type="submit" disabled={refund.isPending}>
            Refund
          </button>
        </form>
      )}
      <h2>Refunds</h2>
      <table>
        <thead>
          <tr>
            <th>Requested</th>
            <th className="num">Amount</th>
            <th>Reason</th>
            <th>Status</th>
          </tr>
        </thead>
        <tbody>
          {data.refunds.map((item) => (
            <tr key={item.id}>
              <td>{formatDateTime(item.createdAt)}</td>
              <td className="num">{formatMoney(item.amount, item.currency)}</td>
              <td>{item.reason}</td>
              <td>
                <StatusBadge status={item.status} />
                {item.failureReason && <div className="muted">{item.failureReason}</div>}
              </td>
            </tr>
          ))}
          {data.refunds.length === 0 && (
            <tr>
              <td colSpan={4} className="muted">
                No refunds.
              </td>
            </tr>
          )}
        </tbody>
      </table>
      <h2>History</h2>
      <table>
        <thead>
          <tr>
            <th>When</th>
            <th>Change</th>
            <th>By</th>
            <th>Why</th>
          </tr>
        </thead>
        <tbody>
          {data.transitions.map((transition) => (
            <tr key={String(transition.id)}>
              <td>{formatDateTime(transition.createdAt)}</td>
              <td>
                {transition.fromStatus ?? "—"} → {transition.toStatus}
              </td>
              <td>{transition.actor}</td>
              <td>{transition.reason}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </>
  );
}
