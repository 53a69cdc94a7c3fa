import { ShopView } from "./shop-view";

export const metadata = { title: "Shop · Payrail" };

export default function ShopPage() {
  return (
    <>
      <h1>Shop</h1>
      <ShopView />
    </>
  );
}
