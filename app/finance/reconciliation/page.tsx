import { ReconciliationView } from "./reconciliation-view";

export const metadata = { title: "Reconciliation · Payrail" };

export default function ReconciliationPage() {
  return (
    <>
      <h1>Reconciliation</h1>
      <ReconciliationView />
    </>
  );
}
