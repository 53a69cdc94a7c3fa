"use client";
import { useInfiniteQuery, useQuery } from "@tanstack/react-query";
import { formatDateTime, shortId } from "@/components/format";
import { LoadMore } from "@/components/load-more";
import { EmptyRow, SkeletonRows } from "@/components/table-rows";
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
            <th>Change</th>
          </tr>
        </thead>
        <tbody>
          {rows.map((row) => (
            <tr key={String(row.id)}>
              <td className="nowrap">{formatDateTime(row.createdAt)}</td>
              <td>{row.actorLabel}</td>
              <td>
                <span className="badge">{row.action}</span>
              </td>
              <td>
                {row.entity} <span className="muted mono nowrap">{shortId(row.entityId)}</span>
              </td>
              <td>
                <Change before={row.before} after={row.after} />
              </td>
            </tr>
          ))}
          {log.isPending && <SkeletonRows rows={3} columns={5} />}
          {!log.isPending && rows.length === 0 && (
            <EmptyRow columns={5} title="Nothing recorded yet">
              Refunds, payout runs and settings, reconciliation fixes and job replays are recorded here, each
              chained to the one before.
            </EmptyRow>
          )}
        </tbody>
      </table>
      <LoadMore query={log} />
    </>
  );
}

type Fields = Record<string, unknown>;
function asFields(value: unknown): Fields {
  if (value === null || value === undefined) return {};
  return typeof value === "object" ? (value as Fields) : { value };
}
const show = (value: unknown) => (typeof value === "string" ? value : JSON.stringify(value));

/**
 * A record's before and after as one list of fields: a changed field reads "old → new", a new one
 * its value, one only in the before (context, or removed) "was old".
 */
function Change({ before, after }: { before: unknown; after: unknown }) {
  const was = asFields(before);
  const now = asFields(after);
  const fields = [...new Set([...Object.keys(was), ...Object.keys(now)])];
  return (
    <dl className="fields">
      {fields.map((field) => (
        <div key={field}>
          <dt>{field}</dt>
          <dd>
            <FieldChange was={was} now={now} field={field} />
          </dd>
        </div>
      ))}
    </dl>
  );
}

function FieldChange({ was, now, field }: { was: Fields; now: Fields; field: string }) {
  if (!(field in now)) return <span className="muted">was {show(was[field])}</span>;
  if (!(field in was) || show(was[field]) === show(now[field])) return show(now[field]);
  return (
    <>
      <span className="muted">{show(was[field])} →</span> {show(now[field])}
    </>
  );
}
