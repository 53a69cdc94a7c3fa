import { OrderDetail } from "./order-detail";

export const metadata = { title: "Payment order · Payrail" };

export default async function FinanceOrderPage({ params }: { params: Promise<{ id: string }> }) {
  const { id } = await params;
  return <OrderDetail paymentOrderId={id} />;
}
