"use client";
import type { ReactNode } from "react";
import { FilterActions, useFilters } from "@/components/filters";
import { errorText, formatDate, formatMoney } from "@/components/format";
import { Stat } from "@/components/stat";

const allTime = { from: "", to: "" };

/** A statement's period of whole UTC days, edited in a form and applied on submit. */
export function useStatementPeriod() {
  const dates = useFilters(allTime);
  return {
    ...dates,
    /** The applied period as a procedure's input: ends left empty are left out. */
    input: { from: dates.applied.from || undefined, to: dates.applied.to || undefined },
    dated: dates.active > 0,
  };
}

/**
 * A statement's period form: `children` (fields before the dates), From and To, All time while a
 * period is applied, Apply and `actions` (after it), and the error of the queries it drives.
 */
export function PeriodForm({
  period,
  error,
  children,
  actions,
}: {
  period: ReturnType<typeof useStatementPeriod>;
  error: unknown;
  children?: ReactNode;
  actions?: ReactNode;
}) {
  return (
    <form className="filters" onSubmit={period.apply} aria-label="Statement period">
      {children}
      <label>
        From
        <input type="date" {...period.field("from")} />
      </label>
      <label>
        To
        <input type="date" {...period.field("to")} />
      </label>
      <FilterActions active={period.dated} onClear={period.clear} clearLabel="All time">
        {actions}
      </FilterActions>
      {error ? (
        <p className="error" role="alert">
          {errorText(error)}
        </p>
      ) : null}
    </form>
  );
}

interface Totals {
  opening: bigint;
  moneyIn: bigint;
  moneyOut: bigint;
  closing: bigint;
}

/** Opening balance, money in, money out and closing balance of a statement's period. */
export function PeriodTotals({
  totals,
  period,
}: {
  totals: Totals | undefined;
  period: { from: string; to: string };
}) {
  const money = (amount: bigint | undefined) => (amount === undefined ? "…" : formatMoney(amount));
  return (
    <div className="grid" style={{ marginBottom: "1rem" }}>
      <Stat
        label="Opening balance"
        value={money(totals?.opening)}
        sub={period.from ? `at the start of ${formatDate(period.from)} (UTC)` : "before the first line"}
        data-testid="statement-opening"
      />
      <Stat label="Money in" value={money(totals?.moneyIn)} />
      <Stat label="Money out" value={money(totals?.moneyOut)} />
      <Stat
        label="Closing balance"
        value={money(totals?.closing)}
        sub={period.to ? `at the end of ${formatDate(period.to)} (UTC)` : "now"}
        data-testid="statement-closing"
      />
    </div>
  );
}
