import { PaymentSearch } from "./payment-search";
import { VolumeChart } from "./volume-chart";

export const metadata = { title: "Payments · Payrail" };

export default function FinancePaymentsPage() {
  return (
    <>
      <h1>Payments</h1>
      <VolumeChart />
      <PaymentSearch />
    </>
  );
}
