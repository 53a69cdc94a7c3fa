import { SellerOrders } from "./seller-orders";

export const metadata = { title: "Seller overview · Payrail" };

export default function SellerHome() {
  return (
    <>
      <h1>Overview</h1>
      <SellerOrders />
    </>
  );
}
