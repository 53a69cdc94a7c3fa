"use client";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { type FormEvent, useState } from "react";
import { countOf, formatDateTime, formatMoney } from "@/components/format";
import { StatusBadge, statusLabel } from "@/components/status-badge";
import { EmptyRow } from "@/components/table-rows";
import { useTRPC } from "@/components/trpc";

const PAGE = 50;

export function FinancePayouts() {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const [selected, setSelected] = useState<string | null>(null);
  // Live while money moves: fast polling while any run is in flight, slow otherwise.
  const runs = useQuery(
    trpc.payout.listRuns.queryOptions(
      { limit: 50 },
      {
        refetchInterval: (query) =>
          query.state.data?.runs.some((run) => run.status === "PROCESSING") ? 1000 : 5000,
      },
    ),
  );
  const policy = useQuery(trpc.payout.policy.queryOptions());
  const refresh = () => queryClient.invalidateQueries({ queryKey: trpc.payout.pathKey() });
  const createRun = useMutation(
    trpc.payout.createRun.mutationOptions({
      onSuccess: (run) => {
        setSelected(run.id);
        void refresh();
      },
    }),
  );
  const updatePolicy = useMutation(trpc.payout.updatePolicy.mutationOptions({ onSuccess: refresh }));

  return (
    <>
      <div className="panel row">
        <div>
          <strong>Approval policy:</strong>{" "}
          {policy.data
            ? policy.data.requireApproval
              ? "every run needs approval"
              : policy.data.approvalThreshold !== null
                ? `runs above ${formatMoney(policy.data.approvalThreshold)} need approval`
                : "no approval needed"
            : "…"}
        </div>
        <span className="spacer" />
        {policy.data && (
          <button
            type="button"
            className="secondary"
            disabled={updatePolicy.isPending}
            onClick={() =>
              updatePolicy.mutate({
                requireApproval: !policy.data.requireApproval,
                approvalThreshold: policy.data.approvalThreshold,
              })
            }
          >
            {policy.data.requireApproval
              ? "Approve only above the threshold"
              : "Require approval for every run"}
          </button>
        )}
        <button
          type="button"
          disabled={createRun.isPending}
          onClick={() => createRun.mutate({ onlyDue: false })}
        >
          Run payouts now
        </button>
      </div>
      {createRun.error && <p className="error">{createRun.error.message}</p>}

      <h2>Runs</h2>
      <table>
        <thead>
          <tr>
            <th>Created</th>
            <th>Trigger</th>
            <th>Status</th>
            <th className="num">Payouts</th>
            <th className="num">Total</th>
            <th>Progress</th>
            <th />
          </tr>
        </thead>
        <tbody>
          {runs.data?.runs.length === 0 && (
            <EmptyRow columns={7} title="No payout runs yet">
              A run starts every day at 06:00 UTC for the sellers whose schedule is due; "Run payouts now"
              starts one at once.
            </EmptyRow>
          )}
          {runs.data?.runs.map((run) => {
            const done = run.progress.PAID.count + run.progress.FAILED.count + run.progress.CANCELED.count;
            const all = done + run.progress.PENDING.count + run.progress.PROCESSING.count;
            return (
              <tr key={run.id}>
                <td>{formatDateTime(run.createdAt)}</td>
                <td>{run.trigger}</td>
                <td>
                  <StatusBadge status={run.status} />
                </td>
                <td className="num">{run.payoutCount}</td>
                <td className="num">{formatMoney(run.totalAmount, run.currency.trim())}</td>
                <td>
                  <div className="progress" title={`${done} of ${all}`}>
                    <div style={{ width: `${all ? (100 * done) / all : 100}%` }} />
                  </div>
                </td>
                <td>
                  <button type="button" className="secondary" onClick={() => setSelected(run.id)}>
                    Open
                  </button>
                </td>
              </tr>
            );
          })}
        </tbody>
      </table>

      {selected && <RunDetail runId={selected} onChange={refresh} />}
    </>
  );
}

function RunDetail({ runId, onChange }: { runId: string; onChange: () => void }) {
  const trpc = useTRPC();
  const [page, setPage] = useState(0);
  const [password, setPassword] = useState("");
  const detail = useQuery(
    trpc.payout.runDetail.queryOptions(
      { runId, limit: PAGE, offset: page * PAGE },
      {
        refetchInterval: (query) =>
          query.state.data && ["COMPLETED", "CANCELED"].includes(query.state.data.run.status) ? false : 1000,
      },
    ),
  );
  const approve = useMutation(
    trpc.payout.approveRun.mutationOptions({
      onSuccess: () => {
        setPassword("");
        onChange();
      },
    }),
  );
  const cancel = useMutation(trpc.payout.cancelRun.mutationOptions({ onSuccess: onChange }));
  const retry = useMutation(trpc.payout.retryPayout.mutationOptions({ onSuccess: onChange }));

  if (!detail.data) return <p className="muted">Loading the run…</p>;
  const { run, progress, payouts, total } = detail.data;
  const currency = run.currency.trim();
  const count = Object.values(progress).reduce((sum, item) => sum + item.count, 0);
  const done = progress.PAID.count + progress.FAILED.count + progress.CANCELED.count;

  function submitApproval(event: FormEvent) {
    event.preventDefault();
    approve.mutate({ runId, password });
  }

  return (
    <div className="panel" style={{ marginTop: "1rem" }}>
      <div className="row">
        <h2 style={{ margin: 0 }}>Run {run.id.slice(0, 8)}</h2>
        <StatusBadge status={run.status} />
        <span className="spacer" />
        <a className="button secondary" href={`/api/finance/payout-runs/${run.id}/report.csv`}>
          Export CSV
        </a>
        {(run.status === "AWAITING_APPROVAL" || run.status === "PROCESSING") && (
          <button
            type="button"
            className="danger"
            disabled={cancel.isPending}
            onClick={() => cancel.mutate({ runId })}
          >
            Cancel unsent payouts
          </button>
        )}
      </div>
      <p className="muted">
        As of {formatDateTime(run.asOf)} · {run.belowMinimumCount} below their minimum (carried over) ·{" "}
        {run.noAccountCount} without a payout account
        {run.approvedAt && <> · approved {formatDateTime(run.approvedAt)}</>}
      </p>
      <div className="grid compact">
        {(["PENDING", "PROCESSING", "PAID", "FAILED", "CANCELED"] as const).map((status) => (
          <div className="stat" key={status}>
            <div className="label">{statusLabel(status)}</div>
            <div className="value">{progress[status].count}</div>
            <div className="muted">{formatMoney(progress[status].amount, currency)}</div>
          </div>
        ))}
      </div>
      <div
        className="progress"
        role="progressbar"
        aria-valuemin={0}
        aria-valuemax={count}
        aria-valuenow={done}
      >
        <div style={{ width: `${count ? (100 * done) / count : 100}%` }} />
      </div>
      <p className="muted">
        {done} of {countOf(count, "payout")} settled
      </p>

      {run.status === "AWAITING_APPROVAL" && (
        <form className="row" onSubmit={submitApproval} style={{ marginTop: "1rem" }}>
          <label>
            Re-enter your password to approve {formatMoney(run.totalAmount, currency)}
            <input
              type="password"
              autoComplete="current-password"
              value={password}
              onChange={(event) => setPassword(event.target.value)}
            />
          </label>
          <button type="submit" disabled={approve.isPending || password.length === 0}>
            Approve run
          </button>
        </form>
      )}
      {[approve.error, cancel.error, retry.error].map(
        (error) =>
          error && (
            <p key={error.message} className="error">
              {error.message}
            </p>
          ),
      )}

      <table>
        <thead>
          <tr>
            <th>Seller</th>
            <th>Status</th>
            <th className="num">Amount</th>
            <th>Transfer</th>
            <th>Updated</th>
            <th />
          </tr>
        </thead>
        <tbody>
          {payouts.map((payout) => (
            <tr key={payout.id}>
              <td>
                {payout.sellerName}
                {payout.attempt > 1 && <span className="muted"> (attempt {payout.attempt})</span>}
              </td>
              <td>
                <StatusBadge status={payout.status} />
                {payout.failureReason && <div className="error">{payout.failureReason}</div>}
              </td>
              <td className="num">{formatMoney(payout.amount, currency)}</td>
              <td>{payout.pspTransferId ?? "—"}</td>
              <td>{formatDateTime(payout.updatedAt)}</td>
              <td>
                {payout.status === "FAILED" && !payout.retried && (
                  <button
                    type="button"
                    className="secondary"
                    disabled={retry.isPending}
                    onClick={() => retry.mutate({ payoutId: payout.id })}
                  >
                    Retry
                  </button>
                )}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      <div className="row">
        <button type="button" className="secondary" disabled={page === 0} onClick={() => setPage(page - 1)}>
          Previous
        </button>
        <span className="muted">
          {total === 0 ? 0 : page * PAGE + 1}–{Math.min(total, (page + 1) * PAGE)} of {total}
        </span>
        <button
          type="button"
          className="secondary"
          disabled={(page + 1) * PAGE >= total}
          onClick={() => setPage(page + 1)}
        >
          Next
        </button>
      </div>
    </div>
  );
}
