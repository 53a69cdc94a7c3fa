"use client";
import { useMutation, useQuery } from "@tanstack/react-query";
import { countOf, formatDateTime } from "@/components/format";
import { useTRPC } from "@/components/trpc";

export function JobsView() {
  const trpc = useTRPC();
  const queues = useQuery(trpc.jobs.queues.queryOptions(undefined, { refetchInterval: 3000 }));
  const waiting = useQuery(trpc.jobs.unprocessedWebhooks.queryOptions(undefined, { refetchInterval: 3000 }));
  const dead = useQuery(trpc.jobs.deadLetters.queryOptions({ limit: 100 }, { refetchInterval: 5000 }));
  const replay = useMutation(trpc.jobs.replay.mutationOptions({ onSuccess: () => dead.refetch() }));
  return (
    <>
      <h2>PSP events</h2>
      <p className={waiting.data?.count === 0 ? "success" : undefined}>{waitingEventsText(waiting.data)}</p>
      <h2>Queues</h2>
      <table>
        <thead>
          <tr>
            <th>Queue</th>
            <th>Runs (UTC)</th>
            <th className="num">Waiting</th>
            <th className="num">Running</th>
            <th className="num">Stored</th>
          </tr>
        </thead>
        <tbody>
          {queues.data?.map((queue) => (
            <tr key={queue.name}>
              <td>
                <span className="mono">{queue.name}</span>
                <div className="subline">{queue.description}</div>
              </td>
              <td className="nowrap">{queue.schedule}</td>
              <td className="num">{queue.queued}</td>
              <td className="num">{queue.active}</td>
              <td className="num">{queue.total}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <div className="row" style={{ marginTop: "1.5rem" }}>
        <h2 style={{ margin: 0 }}>Dead-letter queue</h2>
        <span className="spacer" />
        {(dead.data?.length ?? 0) > 0 && (
          <button
            type="button"
            disabled={replay.isPending}
            onClick={() => replay.mutate({ ids: dead.data!.map((job) => job.id) })}
          >
            Replay all
          </button>
        )}
      </div>
      <p className="muted">
        Jobs that failed every retry. Fix the cause, then replay them; each job is idempotent.
      </p>
      <table>
        <thead>
          <tr>
            <th>Failed</th>
            <th>Job</th>
            <th>Payload</th>
            <th>Last error</th>
            <th />
          </tr>
        </thead>
        <tbody>
          {dead.data?.map((job) => (
            <tr key={job.id}>
              <td>{formatDateTime(job.createdOn)}</td>
              <td>{job.sourceName}</td>
              <td>
                <code style={{ fontSize: "0.8rem" }}>{JSON.stringify(job.data)}</code>
              </td>
              <td>{job.error}</td>
              <td>
                <button type="button" className="secondary" onClick={() => replay.mutate({ ids: [job.id] })}>
                  Replay
                </button>
              </td>
            </tr>
          ))}
          {dead.data?.length === 0 && (
            <tr>
              <td colSpan={5} className="success">
                No failed jobs.
              </td>
            </tr>
          )}
        </tbody>
      </table>
    </>
  );
}

function waitingEventsText(waiting: { count: number; oldestReceivedAt: Date | null } | undefined): string {
  if (!waiting) return "…";
  if (waiting.count === 0) return "Every webhook event received has been processed.";
  const oldest = waiting.oldestReceivedAt
    ? `, the oldest received ${formatDateTime(waiting.oldestReceivedAt)}`
    : "";
  return `${countOf(waiting.count, "event")} waiting to be processed${oldest}. One not processed on arrival gets a job from payin.sweep-webhooks within a minute.`;
}
