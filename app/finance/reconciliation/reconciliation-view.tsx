"use client";
import { useInfiniteQuery, useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { type FormEvent, useEffect, useState } from "react";
import { countOf, formatDateTime, formatMoney } from "@/components/format";
import { LoadMore } from "@/components/load-more";
import { Stat } from "@/components/stat";
import { StatusBadge, statusLabel } from "@/components/status-badge";
import { EmptyRow } from "@/components/table-rows";
import { useTRPC } from "@/components/trpc";

const outcomes = [
  "MATCHED",
  "MISSING_IN_LEDGER",
  "MISSING_AT_PSP",
  "AMOUNT_MISMATCH",
  "STATUS_MISMATCH",
  "DUPLICATE",
] as const;
const day = (date: Date) => date.toISOString().slice(0, 10);

/** "12.34" or "-0.80" (dollars) → minor units; null when it is not an amount. */
function minorUnits(text: string): bigint | null {
  const match = /^(-)?(\d{1,10})(?:\.(\d{1,2}))?$/.exec(text.trim());
  if (!match) return null;
  const units = BigInt(match[2]!) * 100n + BigInt((match[3] ?? "").padEnd(2, "0"));
  return match[1] ? -units : units;
}

interface Changes {
  counts: Record<string, number>;
  newMismatches: string[];
  resolvedSince: string[];
}

function ChangesSincePrevious({ changes }: { changes: Changes }) {
  const moved = Object.entries(changes.counts).filter(([, delta]) => delta !== 0);
  return (
    <div className="row" data-testid="changes" style={{ marginTop: "1rem", flexWrap: "wrap" }}>
      <span className="muted">Since the previous run of this period:</span>
      {moved.length === 0 && <span className="badge good">No change in counts</span>}
      {moved.map(([outcome, delta]) => (
        <span
          key={outcome}
          className={`badge ${(outcome === "MATCHED" ? delta > 0 : delta < 0) ? "good" : "warn"}`}
        >
          {statusLabel(outcome)} {delta > 0 ? `+${delta}` : delta}
        </span>
      ))}
      <span className="badge warn">
        {countOf(changes.newMismatches.length, "new mismatch", "new mismatches")}
      </span>
      <span className="badge good">{changes.resolvedSince.length} gone</span>
    </div>
  );
}

function SettlementUpload() {
  const trpc = useTRPC();
  const [message, setMessage] = useState<string | null>(null);
  const upload = useMutation(
    trpc.reconciliation.uploadSettlement.mutationOptions({
      onSuccess: (result) =>
        setMessage(
          `${countOf(result.rows, "row")} read, ${countOf(result.stored, "new settlement record")} stored and posted`,
        ),
      onError: (failure) => setMessage(failure.message),
    }),
  );
  async function choose(file: File | undefined) {
    if (!file) return;
    if (file.size > 5_000_000) return setMessage("At most 5 MB per file");
    upload.mutate({ csv: await file.text() });
  }
  return (
    <div className="panel row" style={{ marginTop: "1rem" }}>
      <label>
        Settlement file (CSV: id, type, source, amount, fee, net, currency, created)
        <input
          type="file"
          accept=".csv,text/csv"
          disabled={upload.isPending}
          onChange={(event) => choose(event.target.files?.[0])}
        />
      </label>
      {message && (
        <span className={upload.isError ? "error" : "muted"} role="status">
          {message}
        </span>
      )}
    </div>
  );
}

function RunReport({ runId }: { runId: string }) {
  const trpc = useTRPC();
  const run = useQuery(
    trpc.reconciliation.run.queryOptions(
      { runId },
      { refetchInterval: (query) => (query.state.data?.status === "RUNNING" ? 1000 : false) },
    ),
  );
  // The runs table below follows the report: refreshed as soon as its run finishes.
  const queryClient = useQueryClient();
  const status = run.data?.status;
  useEffect(() => {
    if (status && status !== "RUNNING")
      void queryClient.invalidateQueries({ queryKey: trpc.reconciliation.runs.queryKey() });
  }, [status, queryClient, trpc]);
  const [openOnly, setOpenOnly] = useState(false);
  const items = useInfiniteQuery(
    trpc.reconciliation.items.infiniteQueryOptions(
      { runId, open: openOnly, limit: 100 },
      {
        getNextPageParam: (page) => page.nextCursor,
        refetchInterval: (query) => (query.state.data && query.state.data.pages.length > 1 ? false : 3000),
      },
    ),
  );
  const rows = items.data?.pages.flatMap((page) => page.items) ?? [];
  const [notes, setNotes] = useState<Record<string, string>>({});
  const [amounts, setAmounts] = useState<Record<string, string>>({});
  const [error, setError] = useState<string | null>(null);
  const resolve = useMutation(
    trpc.reconciliation.resolve.mutationOptions({
      onSuccess: () => items.refetch(),
      onError: (failure) => setError(failure.message),
    }),
  );
  const data = run.data;
  if (!data) return null;
  const counts = data.counts as Record<string, number>;
  const share = data.total
    ? Math.round((100 * data.processed) / data.total)
    : data.status === "RUNNING"
      ? 0
      : 100;
  return (
    <div className="panel" style={{ marginTop: "1rem" }}>
      <div className="row">
        <h2 style={{ margin: 0 }}>
          {day(new Date(data.periodStart))} → {day(new Date(data.periodEnd))}
        </h2>
        <span data-testid="run-status">
          <StatusBadge status={data.status} />
        </span>
        <span className="spacer" />
        <a className="button secondary" href={`/api/finance/reconciliation/${data.id}/report.csv`}>
          Export CSV
        </a>
      </div>
      <p className="muted">
        {data.processed.toLocaleString()} of {data.total.toLocaleString()} settlement records
        {data.error && <span className="error"> — {data.error}</span>}
      </p>
      <div
        className="progress"
        role="progressbar"
        aria-valuenow={share}
        aria-valuemin={0}
        aria-valuemax={100}
      >
        <div style={{ width: `${share}%` }} />
      </div>
      <div className="grid" style={{ marginTop: "1rem" }}>
        {outcomes.map((outcome) => (
          <Stat
            key={outcome}
            data-testid={`count-${outcome}`}
            label={statusLabel(outcome)}
            value={counts[outcome] ?? 0}
          />
        ))}
      </div>
      {data.changes ? <ChangesSincePrevious changes={data.changes as unknown as Changes} /> : null}
      <div className="row" style={{ margin: "1.5rem 0 0.75rem" }}>
        <h2 style={{ margin: 0 }}>Mismatches</h2>
        <span className="spacer" />
        <label style={{ display: "flex", gap: "0.4rem", alignItems: "center" }}>
          <input type="checkbox" checked={openOnly} onChange={(event) => setOpenOnly(event.target.checked)} />{" "}
          Open only
        </label>
      </div>
      {error && (
        <p className="error" role="alert">
          {error}
        </p>
      )}
      <table>
        <thead>
          <tr>
            <th>Area</th>
            <th>Outcome</th>
            <th>What</th>
            <th className="num">Ours / PSP</th>
            <th>Class</th>
            <th>Action</th>
          </tr>
        </thead>
        <tbody>
          {rows.map((item) => (
            <tr key={String(item.id)}>
              <td>{item.area}</td>
              <td>
                <StatusBadge status={item.outcome} />
              </td>
              <td>
                {item.detail}
                <div className="muted" style={{ fontSize: "0.8rem" }}>
                  {item.pspReference ?? ""} {item.ourReference ? `· ${item.ourReference.slice(0, 13)}` : ""}
                  {item.suggestedFix && <div>Suggested: {item.suggestedFix}</div>}
                </div>
              </td>
              <td className="num">
                {item.expectedAmount !== null ? formatMoney(item.expectedAmount) : "—"} /{" "}
                {item.actualAmount !== null ? formatMoney(item.actualAmount) : "—"}
              </td>
              <td>
                <StatusBadge status={item.classification} />
              </td>
              <td>
                {item.resolution === "OPEN" ? (
                  <div className="row">
                    <input
                      aria-label="Note"
                      placeholder="Note"
                      value={notes[String(item.id)] ?? ""}
                      onChange={(event) => setNotes({ ...notes, [String(item.id)]: event.target.value })}
                      style={{ width: 140 }}
                    />
                    {(["RESOLVE", "IGNORE"] as const).map((action) => (
                      <button
                        key={action}
                        type="button"
                        className="secondary"
                        disabled={resolve.isPending}
                        onClick={() =>
                          resolve.mutate({ itemId: item.id, action, note: notes[String(item.id)] ?? "" })
                        }
                      >
                        {action === "RESOLVE" ? "Resolve" : "Ignore"}
                      </button>
                    ))}
                    <input
                      aria-label="Adjustment"
                      placeholder="±0.00"
                      value={amounts[String(item.id)] ?? ""}
                      onChange={(event) => setAmounts({ ...amounts, [String(item.id)]: event.target.value })}
                      style={{ width: 80 }}
                    />
                    <button
                      type="button"
                      className="secondary"
                      disabled={resolve.isPending}
                      onClick={() => {
                        const adjustment = minorUnits(amounts[String(item.id)] ?? "");
                        if (adjustment === null || adjustment === 0n)
                          return setError("Enter the adjustment as an amount, e.g. 0.80 or -12.00");
                        setError(null);
                        resolve.mutate({
                          itemId: item.id,
                          action: "ADJUST",
                          note: notes[String(item.id)] ?? "",
                          adjustment,
                        });
                      }}
                    >
                      Adjust
                    </button>
                  </div>
                ) : (
                  <span className="muted">
                    {item.resolution.toLowerCase()}
                    {item.note ? `: ${item.note}` : ""}
                  </span>
                )}
              </td>
            </tr>
          ))}
          {items.data && rows.length === 0 && (
            <tr>
              <td colSpan={6} className="success">
                No mismatches.
              </td>
            </tr>
          )}
        </tbody>
      </table>
      <LoadMore query={items} />
    </div>
  );
}

export function ReconciliationView() {
  const trpc = useTRPC();
  const runs = useQuery(trpc.reconciliation.runs.queryOptions({ limit: 20 }, { refetchInterval: 3000 }));
  const [selected, setSelected] = useState<string | null>(null);
  const today = new Date();
  const [start, setStart] = useState(day(new Date(today.getTime() - 86_400_000)));
  const [end, setEnd] = useState(day(new Date(today.getTime() + 86_400_000)));
  const startRun = useMutation(
    trpc.reconciliation.start.mutationOptions({
      // The previous report goes while the new run starts, so nobody reads it for the new one.
      onMutate: () => setSelected(null),
      onSuccess: (run) => {
        setSelected(run.id);
        runs.refetch();
      },
    }),
  );
  function submit(event: FormEvent) {
    event.preventDefault();
    startRun.mutate({ start: new Date(`${start}T00:00:00Z`), end: new Date(`${end}T00:00:00Z`) });
  }
  return (
    <>
      <form className="panel row" onSubmit={submit}>
        <label>
          From
          <input type="date" value={start} onChange={(event) => setStart(event.target.value)} />
        </label>
        <label>
          To (exclusive)
          <input type="date" value={end} onChange={(event) => setEnd(event.target.value)} />
        </label>
        <span className="spacer" />
        <button type="submit" disabled={startRun.isPending}>
          Run reconciliation
        </button>
      </form>
      {startRun.error && <p className="error">{startRun.error.message}</p>}
      <SettlementUpload />
      {selected && <RunReport runId={selected} />}
      <h2>Runs</h2>
      <table>
        <thead>
          <tr>
            <th>Started</th>
            <th>Period</th>
            <th>Status</th>
            <th className="num">Records</th>
            <th className="num">Mismatches</th>
            <th />
          </tr>
        </thead>
        <tbody>
          {runs.data?.map((run) => {
            const counts = run.counts as Record<string, number>;
            const mismatches = outcomes
              .filter((outcome) => outcome !== "MATCHED")
              .reduce((sum, outcome) => sum + (counts[outcome] ?? 0), 0);
            return (
              <tr key={run.id}>
                <td>{formatDateTime(run.startedAt)}</td>
                <td>
                  {day(new Date(run.periodStart))} → {day(new Date(run.periodEnd))}
                </td>
                <td>
                  <StatusBadge status={run.status} />
                </td>
                <td className="num">{run.total}</td>
                <td className="num">{mismatches}</td>
                <td>
                  <button type="button" className="secondary" onClick={() => setSelected(run.id)}>
                    Open
                  </button>
                </td>
              </tr>
            );
          })}
          {runs.data?.length === 0 && (
            <EmptyRow columns={6} title="No reconciliation runs yet">
              The nightly run checks yesterday (UTC) at 02:30; run one above for any period, or upload the
              PSP's settlement file.
            </EmptyRow>
          )}
        </tbody>
      </table>
    </>
  );
}
