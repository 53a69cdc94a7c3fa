"use client";
import { useInfiniteQuery, useQuery } from "@tanstack/react-query";
import { formatDateTime } from "@/components/format";
import { LoadMore } from "@/components/load-more";
import { useTRPC } from "@/components/trpc";

export function AuditView() {
  const trpc = useTRPC();
  const verify = useQuery(trpc.audit.verify.queryOptions());
  const log = useInfiniteQuery(
    trpc.audit.list.infiniteQueryOptions({ limit: 50 }, { getNextPageParam: (page) => page.nextCursor }),
  );
  const rows = log.data?.pages.flatMap((page) => page.items) ?? [];
  return (
    <>
      {verify.data && (
        <p className={verify.data.ok ? "success" : "error"} role="status">
          {verify.data.ok
            ? `Hash chain verified: ${verify.data.checked} records, none altered.`
            : `The hash chain is broken at record ${verify.data.brokenAt}: a record was altered or removed.`}
        </p>
      )}
      <table>
        <thead>
          <tr>
            <th>When</th>
            <th>Who</th>
            <th>Action</th>
            <th>Subject</th>
            <th>Before → after</th>
          </tr>
        </thead>
        <tbody>
          {rows.map((row) => (
            <tr key={String(row.id)}>
              <td>{formatDateTime(row.createdAt)}</td>
              <td>{row.actorLabel}</td>
              <td>
                <span className="badge">{row.action}</span>
              </td>
              <td>
                {row.entity} <span className="muted">{row.entityId.slice(0, 12)}</span>
              </td>
              <td>
                <code style={{ fontSize: "0.78rem" }}>
                  {JSON.stringify(row.before)} → {JSON.stringify(row.after)}
                </code>
              </td>
            </tr>
          ))}
          {rows.length === 0 && !log.isLoading && (
            <tr>
              <td colSpan={5} className="muted">
                Nothing recorded yet.
              </td>
            </tr>
          )}
        </tbody>
      </table>
      <LoadMore query={log} />
    </>
  );
}
