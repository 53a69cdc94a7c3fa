"use client";
import { useInfiniteQuery, useQuery } from "@tanstack/react-query";
import { useState } from "react";
import { formatDateTime, formatMoney } from "@/components/format";
import { LoadMore } from "@/components/load-more";
import { Stat } from "@/components/stat";
import { PeriodForm, PeriodTotals, useStatementPeriod } from "@/components/statement-period";
import { statusLabel } from "@/components/status-badge";
import { useTRPC } from "@/components/trpc";

function TransactionDetail({ id, onClose }: { id: bigint; onClose: () => void }) {
  const trpc = useTRPC();
  const transaction = useQuery(trpc.ledger.transaction.queryOptions({ id }));
  const data = transaction.data;
  return (
    <div className="panel" style={{ marginTop: "1rem" }} data-testid="transaction-detail">
      <div className="row">
        <h2 style={{ margin: 0 }}>Transaction {String(id)}</h2>
        <span className="spacer" />
        <button type="button" className="secondary" onClick={onClose}>
          Close
        </button>
      </div>
      {data && (
        <>
          <p className="muted">
            {data.kind} · {data.reference} · {formatDateTime(data.createdAt)} · {data.description}
          </p>
          <table>
            <thead>
              <tr>
                <th>Account</th>
                <th className="num">Debit</th>
                <th className="num">Credit</th>
              </tr>
            </thead>
            <tbody>
              {data.entries.map((entry) => (
                <tr key={String(entry.id)}>
                  <td>{entry.account.code}</td>
                  <td className="num">
                    {entry.direction === "DEBIT" ? formatMoney(entry.amount, data.currency) : ""}
                  </td>
                  <td className="num">
                    {entry.direction === "CREDIT" ? formatMoney(entry.amount, data.currency) : ""}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </>
      )}
    </div>
  );
}

function Statement({ code, onOpen }: { code: string; onOpen: (id: bigint) => void }) {
  const trpc = useTRPC();
  const period = useStatementPeriod();
  const input = { code, ...period.input };
  const totals = useQuery(trpc.ledger.statementTotals.queryOptions(input));
  const statement = useInfiniteQuery(
    trpc.ledger.statement.infiniteQueryOptions(
      { ...input, limit: 50 },
      { getNextPageParam: (page) => page.nextCursor },
    ),
  );
  const lines = statement.data?.pages.flatMap((page) => page.lines) ?? [];
  return (
    <div className="panel" style={{ marginTop: "1rem" }}>
      <h2 style={{ marginTop: 0 }}>Statement of {code}</h2>
      <PeriodForm period={period} error={statement.error ?? totals.error} />
      <PeriodTotals totals={totals.data} period={period.applied} />
      <table aria-label={`Statement of ${code}`}>
        <thead>
          <tr>
            <th>When</th>
            <th>Event</th>
            <th className="num">Change</th>
            <th className="num">Balance</th>
          </tr>
        </thead>
        <tbody>
          {lines.map((line) => (
            <tr key={String(line.entryId)}>
              <td>{formatDateTime(line.createdAt)}</td>
              <td>
                <button type="button" className="secondary" onClick={() => onOpen(line.transactionId)}>
                  {line.kind}
                </button>{" "}
                <span className="muted">{line.reference.slice(0, 13)}</span>
              </td>
              <td className="num">{formatMoney(line.change)}</td>
              <td className="num">{formatMoney(line.balance)}</td>
            </tr>
          ))}
          {lines.length === 0 && !statement.isLoading && (
            <tr>
              <td colSpan={4} className="muted">
                {period.dated ? "No entries in this period." : "No entries yet."}
              </td>
            </tr>
          )}
        </tbody>
      </table>
      <LoadMore query={statement} />
    </div>
  );
}

type AccountRow = {
  code: string;
  type: string;
  currency: string;
  debits: bigint;
  credits: bigint;
  balance: bigint;
  sellerName: string | null;
};

function AccountTable({ rows, onOpen }: { rows: AccountRow[]; onOpen: (code: string) => void }) {
  return (
    <table>
      <thead>
        <tr>
          <th>Account</th>
          <th>Type</th>
          <th className="num">Debits</th>
          <th className="num">Credits</th>
          <th className="num">Balance</th>
        </tr>
      </thead>
      <tbody>
        {rows.map((row) => (
          <tr key={row.code}>
            <td>
              <button type="button" className="secondary" onClick={() => onOpen(row.code)}>
                {row.code.length > 30 ? `${row.code.slice(0, 28)}…` : row.code}
              </button>
              {row.sellerName && <span className="muted"> {row.sellerName}</span>}
            </td>
            <td>{statusLabel(row.type)}</td>
            <td className="num">{formatMoney(row.debits, row.currency)}</td>
            <td className="num">{formatMoney(row.credits, row.currency)}</td>
            <td className="num">
              <strong>{formatMoney(row.balance, row.currency)}</strong>
            </td>
          </tr>
        ))}
        {rows.length === 0 && (
          <tr>
            <td colSpan={5} className="muted">
              No accounts yet.
            </td>
          </tr>
        )}
      </tbody>
    </table>
  );
}

/** Seller accounts can number in the hundreds of thousands: keyset pages by code. */
function SellerAccounts({ onOpen }: { onOpen: (code: string) => void }) {
  const trpc = useTRPC();
  const accounts = useInfiniteQuery(
    trpc.ledger.accounts.infiniteQueryOptions(
      { kind: "seller", limit: 50 },
      { getNextPageParam: (page) => page.nextCursor },
    ),
  );
  const rows = accounts.data?.pages.flatMap((page) => page.accounts) ?? [];
  return (
    <>
      <AccountTable rows={rows} onOpen={onOpen} />
      <LoadMore query={accounts} />
    </>
  );
}

export function LedgerExplorer() {
  const trpc = useTRPC();
  const trial = useQuery(trpc.ledger.trialBalance.queryOptions(undefined, { refetchInterval: 5000 }));
  const [account, setAccount] = useState<string | null>(null);
  const [transaction, setTransaction] = useState<bigint | null>(null);
  const data = trial.data;
  return (
    <>
      {data && (
        <div className="grid" style={{ marginBottom: "1rem" }}>
          <Stat label="Total debits" value={formatMoney(data.debits)} />
          <Stat label="Total credits" value={formatMoney(data.credits)} />
          <Stat
            label="Trial balance"
            value={
              <span className={`badge ${data.balanced ? "good" : "bad"}`}>
                {data.balanced ? "Balanced" : "Out of balance"}
              </span>
            }
          />
          {data.sellerAccounts.map((group) => (
            <Stat
              key={group.bucket}
              label={`Sellers ${group.bucket} (${group.count} accounts)`}
              value={formatMoney(group.balance)}
            />
          ))}
        </div>
      )}
      {transaction !== null && <TransactionDetail id={transaction} onClose={() => setTransaction(null)} />}
      {account && <Statement code={account} onOpen={setTransaction} />}
      <h2>System accounts</h2>
      <AccountTable rows={data?.accounts ?? []} onOpen={setAccount} />
      <h2>Seller accounts</h2>
      <SellerAccounts onOpen={setAccount} />
    </>
  );
}
