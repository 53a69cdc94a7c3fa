import { CheckoutStatus } from "./checkout-status";

export const metadata = { title: "Your payment · Payrail" };

export default async function CheckoutPage({ params }: { params: Promise<{ id: string }> }) {
  const { id } = await params;
  return <CheckoutStatus checkoutId={id} />;
}
