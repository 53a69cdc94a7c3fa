"use client";
import { useInfiniteQuery, useQuery } from "@tanstack/react-query";
import { FilterActions, useFilters } from "@/components/filters";
import { errorText, formatDateTime, shortId } from "@/components/format";
import { LoadMore } from "@/components/load-more";
import { FilteredEmptyRow, SkeletonRows } from "@/components/table-rows";
import { useTRPC } from "@/components/trpc";

// What a record is about, as the services name it (server/*/: `audit(tx, { entity, … })`).
const subjects: Record<string, string> = {
  payment_event: "Checkout",
  payment_order: "Payment order",
  payout_run: "Payout run",
  payout: "Payout",
  payout_settings: "Payout settings",
  payout_policy: "Payout policy",
  recon_run: "Reconciliation run",
  recon_item: "Reconciliation item",
  dead_letter: "Dead-letter job",
};

interface Filters {
  entity: string;
  entityId: string;
}
const noFilters: Filters = { entity: "", entityId: "" };

export function AuditView() {
  const trpc = useTRPC();
  const verify = useQuery(trpc.audit.verify.queryOptions());
  const filters = useFilters(noFilters);
  const { applied } = filters;
  const log = useInfiniteQuery(
    trpc.audit.list.infiniteQueryOptions(
      { entity: applied.entity || undefined, entityId: applied.entityId.trim() || undefined, limit: 50 },
      { getNextPageParam: (page) => page.nextCursor },
    ),
  );
  const rows = log.data?.pages.flatMap((page) => page.items) ?? [];
  const filtered = filters.active > 0;

  return (
    <>
      {verify.data && (
        <p className={verify.data.ok ? "success" : "error"} role="status">
          {verify.data.ok
            ? `Hash chain verified: ${verify.data.checked} records, none altered.`
            : `The hash chain is broken at record ${verify.data.brokenAt}: a record was altered or removed.`}
        </p>
      )}
      <form className="filters" onSubmit={filters.apply} aria-label="Filter the audit log">
        <label>
          Subject
          <select
            value={filters.draft.entity}
            onChange={(event) => filters.choose("entity", event.target.value)}
          >
            <option value="">Anything</option>
            {Object.entries(subjects).map(([entity, label]) => (
              <option key={entity} value={entity}>
                {label}
              </option>
            ))}
          </select>
        </label>
        <label>
          Subject id
          <input
            className="mono"
            placeholder="e.g. 1a295295"
            {...filters.field("entityId")}
            style={{ width: 220 }}
          />
        </label>
        <FilterActions active={filtered} onClear={filters.clear} />
        {log.error && (
          <p className="error" role="alert">
            {errorText(log.error)}
          </p>
        )}
      </form>
      <table aria-label="Audit log">
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
                {subjects[row.entity] ?? row.entity}{" "}
                <span className="muted mono nowrap">{shortId(row.entityId)}</span>
              </td>
              <td>
                <Change before={row.before} after={row.after} />
              </td>
            </tr>
          ))}
          {log.isPending && <SkeletonRows rows={3} columns={5} />}
          {!log.isPending && rows.length === 0 && (
            <FilteredEmptyRow
              columns={5}
              noun="records"
              filtered={filtered}
              onClearFilters={filters.clear}
              hint="Refunds, payout runs and settings, reconciliation fixes and job replays are recorded here, each chained to the one before."
            />
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
