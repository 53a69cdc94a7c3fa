// `npm run check:ledger`: checks the ledger invariants of the configured database.
import { getDb } from "@/server/db";
import { checkLedgerInvariants } from "@/server/ledger/invariants";

const db = await getDb();
const report = await checkLedgerInvariants(db);
for (const violation of report.violations) console.error(`✘ ${violation.invariant}: ${violation.detail}`);
console.log(report.ok ? "✔ ledger invariants hold" : `${report.violations.length} violations`);
await db.$disconnect();
process.exit(report.ok ? 0 : 1);
