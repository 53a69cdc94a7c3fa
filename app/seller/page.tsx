import { SellerOrders } from "./seller-orders";
import { WalletSummary } from "./wallet-summary";

export const metadata = { title: "Seller overview · Payrail" };

export default function SellerHome() {
  return (
    <>
      <h1>Overview</h1>
      <WalletSummary />
      <SellerOrders />
    </>
  );
}
