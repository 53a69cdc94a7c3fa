"use client";
import { useMutation, useQuery } from "@tanstack/react-query";
import { useState } from "react";
import { formatDateTime, formatMoney } from "@/components/format";
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
