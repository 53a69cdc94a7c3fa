import Link from "next/link";
import { formatDateTime, formatMoney } from "@/components/format";
import { StatusBadge } from "@/components/status-badge";
import { serverCaller } from "@/server/caller";

export const metadata = { title: "My payments · Payrail" };

export default async function MyPaymentsPage() {
  const checkouts = await (await serverCaller()).payin.myCheckouts({ limit: 50 });
  return (
    <>
      <h1>My payments</h1>
      {checkouts.length === 0 ? (
        <p className="muted">No payments yet.</p>
      ) : (
        <table>
          <thead>
            <tr>
              <th>Date</th>
              <th>Checkout</th>
              <th className="num">Total</th>
              <th className="num">Refunded</th>
              <th>Status</th>
            </tr>
          </thead>
          <tbody>
            {checkouts.map((checkout) => (
              <tr key={checkout.id}>
                <td>{formatDateTime(checkout.createdAt)}</td>
                <td>
                  <Link href={`/checkout/${checkout.id}`}>{checkout.id.slice(0, 8)}</Link>
                </td>
                <td className="num">{formatMoney(checkout.totalAmount, checkout.currency)}</td>
                <td className="num">
                  {checkout.refundedAmount > 0n
                    ? formatMoney(checkout.refundedAmount, checkout.currency)
                    : "—"}
                </td>
                <td>
                  <StatusBadge status={checkout.status} />
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </>
  );
}
