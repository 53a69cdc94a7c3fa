"use client";
import { type FormEvent, type ReactNode, useState } from "react";

/**
 * A filter form's state. The inputs edit a draft and the table follows what was applied, so
 * typing never fires a query; `choose` applies a select's choice at once (a choice already made).
 */
export function useFilters<Filters extends { [Name in keyof Filters]: string }>(none: Filters) {
  const [draft, setDraft] = useState(none);
  const [applied, setApplied] = useState(none);
  return {
    draft,
    applied,
    /** How many filters are applied. */
    active: (Object.keys(none) as (keyof Filters)[]).filter((name) => applied[name].trim() !== none[name])
      .length,
    /** Props binding an input or select to one field of the draft. */
    field: (name: keyof Filters) => ({
      value: draft[name],
      onChange: (event: { target: { value: string } }) => setDraft({ ...draft, [name]: event.target.value }),
    }),
    choose<Name extends keyof Filters>(name: Name, value: Filters[Name]) {
      const next = { ...draft, [name]: value };
      setDraft(next);
      setApplied(next);
    },
    apply(event?: FormEvent) {
      event?.preventDefault();
      setApplied(draft);
    },
    clear() {
      setDraft(none);
      setApplied(none);
    },
  };
}

/** A filter form's buttons: Clear while filters are applied, the submit button, and any extras. */
export function FilterActions({
  active,
  onClear,
  clearLabel = "Clear",
  submitLabel = "Apply",
  children,
}: {
  active: boolean;
  onClear: () => void;
  clearLabel?: string;
  submitLabel?: string;
  children?: ReactNode;
}) {
  return (
    <div className="actions">
      {active && (
        <button type="button" className="secondary" onClick={onClear}>
          {clearLabel}
        </button>
      )}
      <button type="submit">{submitLabel}</button>
      {children}
    </div>
  );
}
