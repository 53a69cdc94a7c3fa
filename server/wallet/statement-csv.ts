// The columns of a seller's statement as CSV (app/api/seller/statement.csv), one place for the
// route and whoever reads the file: money in minor units as digits, instants in ISO 8601 UTC.
import type { StatementLine } from "@/server/ledger/queries";

export const STATEMENT_CSV_COLUMNS = [
  "entry_id",
  "created_at",
  "kind",
  "reference",
  "description",
  "amount_minor",
  "balance_minor",
  "currency",
];

export function statementCsvRow(line: StatementLine, currency: string): string[] {
  return [
    line.entryId.toString(),
    line.createdAt.toISOString(),
    line.kind,
    line.reference,
    line.description,
    line.change.toString(),
    line.balance.toString(),
    currency,
  ];
}
