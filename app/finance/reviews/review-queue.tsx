"use client";
import { useMutation, useQuery } from "@tanstack/react-query";
import Link from "next/link";
import { useState } from "react";
import { formatDateTime, formatMoney, itemsSummary, shortId } from "@/components/format";
import { useTRPC } from "@/components/trpc";

export function ReviewQueue() {
  const trpc = useTRPC();
  const queue = useQuery(trpc.payin.reviewQueue.queryOptions({ limit: 50 }));
  const [notes, setNotes] = useState<Record<string, string>>({});
  const [error, setError] = useState<string | null>(null);
  const review = useMutation(
    trpc.payin.review.mutationOptions({
      onSuccess: () => queue.refetch(),
      onError: (failure) => setError(failure.message),
    }),
  );
  const items = queue.data?.items ?? [];
  return (
    <>
      {error && (
        <p className="error" role="alert">
          {error}
        </p>
      )}
      {items.length === 0 && !queue.isLoading && <p className="success">Nothing waits for review.</p>}
      {items.map((item) => (
        <div key={item.id} className="panel" style={{ marginBottom: "1rem" }}>
          <div className="row">
            <strong>{formatMoney(item.totalAmount, item.currency)}</strong>
            <span className="muted">
              {item.buyerEmail} · {formatDateTime(item.createdAt)}
            </span>
          </div>
          <ul>
            {item.riskReasons.map((reason) => (
              <li key={reason}>{reason}</li>
            ))}
          </ul>
          <table aria-label="Basket" style={{ marginBottom: "0.75rem" }}>
            <thead>
              <tr>
                <th>Seller</th>
                <th>Items</th>
                <th className="num">Amount</th>
                <th>Order</th>
              </tr>
            </thead>
            <tbody>
              {item.orders.map((order) => (
                <tr key={order.id}>
                  <td>{order.sellerName}</td>
                  <td>{itemsSummary(order.items)}</td>
                  <td className="num">{formatMoney(order.amount, order.currency)}</td>
                  <td>
                    <Link href={`/finance/orders/${order.id}`} className="mono">
                      {shortId(order.id)}
                    </Link>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
          <div className="row">
            <input
              placeholder="Note for the record"
              aria-label="Review note"
              value={notes[item.id] ?? ""}
              onChange={(event) => setNotes({ ...notes, [item.id]: event.target.value })}
              style={{ flex: 1 }}
            />
            <button
              type="button"
              disabled={review.isPending}
              onClick={() =>
                review.mutate({ checkoutId: item.id, decision: "APPROVE", note: notes[item.id] ?? "" })
              }
            >
              Approve
            </button>
            <button
              type="button"
              className="danger"
              disabled={review.isPending}
              onClick={() =>
                review.mutate({ checkoutId: item.id, decision: "REJECT", note: notes[item.id] ?? "" })
              }
            >
              Reject
            </button>
          </div>
        </div>
      ))}
    </>
  );
}
