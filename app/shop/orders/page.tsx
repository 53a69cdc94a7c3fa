import { MyPayments } from "./my-payments";

export const metadata = { title: "My payments · Payrail" };

export default function MyPaymentsPage() {
  return (
    <>
      <h1>My payments</h1>
      <MyPayments />
    </>
  );
}
