// Rows a table shows in place of data: placeholders while the first page loads, and a message
// when there is nothing to list.
import type { ReactNode } from "react";

/** Grey bars the shape of the table while its first page loads; hidden from screen readers. */
export function SkeletonRows({ rows, columns }: { rows: number; columns: number }) {
  return Array.from({ length: rows }, (_, row) => (
    // biome-ignore lint/suspicious/noArrayIndexKey: placeholders have no identity
    <tr key={row} aria-hidden>
      {Array.from({ length: columns }, (_, cell) => (
        // biome-ignore lint/suspicious/noArrayIndexKey: placeholders have no identity
        <td key={cell}>
          <span className="skeleton" />
        </td>
      ))}
    </tr>
  ));
}

/** One full-width row saying the table is empty: a headline, and under it a hint or an action. */
export function EmptyRow({
  columns,
  title,
  children,
}: {
  columns: number;
  title?: string;
  children?: ReactNode;
}) {
  return (
    <tr>
      <td colSpan={columns} className="empty">
        {title && <strong>{title}</strong>}
        {children}
      </td>
    </tr>
  );
}

/**
 * The empty row of a filtered list. When filters are applied they are the likely reason, so it
 * offers to clear them; otherwise there is no data yet and `hint` says where it will come from.
 */
export function FilteredEmptyRow({
  columns,
  noun,
  filtered,
  onClearFilters,
  hint,
}: {
  columns: number;
  /** Plural, lower case: "orders". */
  noun: string;
  filtered: boolean;
  onClearFilters: () => void;
  hint: ReactNode;
}) {
  return filtered ? (
    <EmptyRow columns={columns} title={`No ${noun} match these filters`}>
      <button type="button" className="secondary" onClick={onClearFilters}>
        Clear filters
      </button>
    </EmptyRow>
  ) : (
    <EmptyRow columns={columns} title={`No ${noun} yet`}>
      {hint}
    </EmptyRow>
  );
}
