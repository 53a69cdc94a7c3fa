import { SellerStatement } from "./seller-statement";

export const metadata = { title: "Statement · Payrail" };

export default function StatementPage() {
  return (
    <>
      <h1>Statement</h1>
      <SellerStatement />
    </>
  );
}
