import { AuditView } from "./audit-view";

export const metadata = { title: "Audit log · Payrail" };

export default function AuditPage() {
  return (
    <>
      <h1>Audit log</h1>
      <AuditView />
    </>
  );
}
