import { SellerOrderDetail } from "./seller-order-detail";

export const metadata = { title: "Order · Payrail" };

export default async function SellerOrderPage({ params }: { params: Promise<{ id: string }> }) {
  const { id } = await params;
  return <SellerOrderDetail paymentOrderId={id} />;
}
