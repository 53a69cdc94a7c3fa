import { SellerPayouts } from "./seller-payouts";

export const metadata = { title: "Payouts · Payrail" };

export default function SellerPayoutsPage() {
  return (
    <>
      <h1>Payouts</h1>
      <SellerPayouts />
    </>
  );
}
