import { PaymentSearch } from "./payment-search";

export const metadata = { title: "Payments · Payrail" };

export default function FinancePaymentsPage() {
  return (
    <>
      <h1>Payments</h1>
      <PaymentSearch />
    </>
  );
}
