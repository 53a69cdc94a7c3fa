// What happened to a payment order, shared by the seller's and finance's detail pages: its state
// transitions as a timeline, and its ledger postings (debits and credits side by side).
import { Fragment } from "react";
import { formatDateTime, formatMoney } from "@/components/format";
import { StatusBadge } from "@/components/status-badge";
import { EmptyRow } from "@/components/table-rows";

export interface Transition {
  id: bigint;
  fromStatus: string | null;
  toStatus: string;
  actor: string;
  reason: string;
  createdAt: Date;
}

export interface Posting {
  id: bigint;
  kind: string;
  reference: string;
  description: string;
  createdAt: Date;
  entries: { id: bigint; account: string; direction: "DEBIT" | "CREDIT"; amount: bigint }[];
}

/** `psp:checkout.session.completed` → "PSP · checkout.session.completed"; ids shortened. */
function actorLabel(actor: string): string {
  const [role, ...rest] = actor.split(":");
  const detail = rest.join(":");
  const names: Record<string, string> = {
    buyer: "Buyer",
    seller: "Seller",
    finance: "Finance",
    psp: "PSP",
    risk: "Risk engine",
    job: "Scheduled job",
    system: "System",
  };
  const name = names[role ?? ""] ?? actor;
  if (!detail || name === actor) return name;
  return `${name} · ${/^[0-9a-f-]{36}$/i.test(detail) ? detail.slice(0, 8) : detail}`;
}

export function Timeline({ transitions }: { transitions: Transition[] }) {
  if (transitions.length === 0) return <p className="muted">No state changes yet.</p>;
  return (
    <ol className="timeline" aria-label="Timeline">
      {transitions.map((transition) => (
        <li key={String(transition.id)}>
          <div className="when">{formatDateTime(transition.createdAt)}</div>
          <div className="what">
            {transition.fromStatus ? (
              <>
                <StatusBadge status={transition.fromStatus} />
                <span className="muted">→</span>
              </>
            ) : (
              <span className="muted">created as</span>
            )}
            <StatusBadge status={transition.toStatus} />
          </div>
          <div className="why">
            {transition.reason} <span className="muted">— {actorLabel(transition.actor)}</span>
          </div>
        </li>
      ))}
    </ol>
  );
}

const kindLabels: Record<string, string> = {
  payin: "Payment received",
  release: "Funds released",
  refund: "Refund",
  "refund.reversal": "Refund reversed",
};

/** `seller_pending:<uuid>` → the kind in ink, the seller's id shortened and muted (full in the title). */
function AccountCode({ code }: { code: string }) {
  const [kind, owner] = code.split(":");
  if (!owner) return <>{code}</>;
  return (
    <>
      {kind}
      <span className="muted">:{/^[0-9a-f-]{36}$/i.test(owner) ? `${owner.slice(0, 8)}…` : owner}</span>
    </>
  );
}

export function Postings({ postings, currency }: { postings: Posting[]; currency: string }) {
  return (
    <table aria-label="Ledger postings">
      <thead>
        <tr>
          <th>Account</th>
          <th className="num">Debit</th>
          <th className="num">Credit</th>
        </tr>
      </thead>
      <tbody>
        {postings.map((posting) => (
          <Fragment key={String(posting.id)}>
            <tr className="group">
              <td colSpan={3}>
                <strong style={{ color: "var(--ink)" }}>{kindLabels[posting.kind] ?? posting.kind}</strong> ·{" "}
                <span className="mono">{posting.kind}</span> · tx {String(posting.id)} ·{" "}
                {formatDateTime(posting.createdAt)}
              </td>
            </tr>
            {posting.entries.map((entry) => (
              <tr key={String(entry.id)}>
                <td className="mono" title={entry.account}>
                  <AccountCode code={entry.account} />
                </td>
                <td className="num">
                  {entry.direction === "DEBIT" ? formatMoney(entry.amount, currency) : ""}
                </td>
                <td className="num">
                  {entry.direction === "CREDIT" ? formatMoney(entry.amount, currency) : ""}
                </td>
              </tr>
            ))}
          </Fragment>
        ))}
        {postings.length === 0 && (
          <EmptyRow columns={3} title="Nothing posted yet">
            The ledger is written when the payment succeeds.
          </EmptyRow>
        )}
      </tbody>
    </table>
  );
}
