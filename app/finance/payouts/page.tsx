import { FinancePayouts } from "./finance-payouts";

export const metadata = { title: "Payouts · Payrail" };

export default function FinancePayoutsPage() {
  return (
    <>
      <h1>Payouts</h1>
      <FinancePayouts />
    </>
  );
}
