"use client";
import { useMutation, useQuery } from "@tanstack/react-query";
import { formatDateTime, formatMoney } from "@/components/format";
import { StatusBadge } from "@/components/status-badge";
import { useTRPC } from "@/components/trpc";

export function SellerOrders() {
  const trpc = useTRPC();
  const orders = useQuery(trpc.payin.sellerOrders.queryOptions({ limit: 50 }, { refetchInterval: 5000 }));
  const fulfil = useMutation(trpc.payin.fulfilOrder.mutationOptions({ onSuccess: () => orders.refetch() }));
  return (
    <>
      <h2>Orders</h2>
      <table>
        <thead>
          <tr>
            <th>Date</th>
            <th>Items</th>
            <th className="num">Amount</th>
            <th className="num">Commission</th>
            <th>Status</th>
            <th>Funds</th>
          </tr>
        </thead>
        <tbody>
          {orders.data?.map((order) => (
            <tr key={order.id}>
              <td>{formatDateTime(order.createdAt)}</td>
              <td>
                {(order.items as { name: string; quantity: number }[])
                  .map((item) => `${item.name} × ${item.quantity}`)
                  .join(", ")}
              </td>
              <td className="num">{formatMoney(order.amount, order.currency)}</td>
              <td className="num">{formatMoney(order.commission, order.currency)}</td>
              <td>
                <StatusBadge status={order.status} />
                {order.refundedAmount > 0n && (
                  <div className="muted">refunded {formatMoney(order.refundedAmount, order.currency)}</div>
                )}
              </td>
              <td>
                {order.status === "SUCCESS" &&
                  (order.releasedAt ? (
                    <span className="badge good">available</span>
                  ) : (
                    <button
                      type="button"
                      className="secondary"
                      onClick={() => fulfil.mutate({ paymentOrderId: order.id })}
                    >
                      Mark fulfilled
                    </button>
                  ))}
              </td>
            </tr>
          ))}
          {orders.data?.length === 0 && (
            <tr>
              <td colSpan={6} className="muted">
                No orders yet.
              </td>
            </tr>
          )}
        </tbody>
      </table>
    </>
  );
}
