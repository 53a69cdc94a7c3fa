import { LedgerExplorer } from "./ledger-explorer";

export const metadata = { title: "Ledger · Payrail" };

export default function LedgerPage() {
  return (
    <>
      <h1>Ledger</h1>
      <LedgerExplorer />
    </>
  );
}
