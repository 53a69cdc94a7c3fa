// Internal consistency: the ledger's invariants, and every money-moving record posted exactly once.
import type { DbOrTx } from "@/server/db";
import { checkLedgerInvariants } from "@/server/ledger/invariants";
import type { Period } from "./match";

const STUCK_AFTER_MINUTES = Number(process.env.RECON_STUCK_MINUTES ?? 60);

/**
 * Writes one UNCLASSIFIED item per problem; returns how many. The posted-exactly-once checks look
 * at the orders, refunds and payouts last changed in the period, so a nightly run reads one day's
 * rows, not the whole history (a full check is a run over a long period).
 */
export async function checkInternal(db: DbOrTx, runId: string, period: Period): Promise<number> {
  const ledger = await checkLedgerInvariants(db);
  let found = 0;
  for (const violation of ledger.violations) {
    await db.reconItem.create({
      data: {
        runId,
        area: "internal",
        outcome: "STATUS_MISMATCH",
        classification: "UNCLASSIFIED",
        detail: `${violation.invariant}: ${violation.detail}`,
        suggestedFix: "Investigate: the ledger's own rules should make this impossible",
      },
    });
    found++;
  }
  found += await db.$executeRawUnsafe(
    `INSERT INTO recon_item (run_id, area, outcome, classification, our_reference, detail, suggested_fix)
     SELECT $1, 'internal', (CASE WHEN n = 0 THEN 'MISSING_IN_LEDGER' ELSE 'DUPLICATE' END)::"ReconOutcome", 'UNCLASSIFIED', ref, what, fix FROM (
       SELECT o.id::text AS ref, count(t.id) AS n,
              'Paid order posted ' || count(t.id) || ' times' AS what, 'Post it exactly once' AS fix
         FROM payment_order o LEFT JOIN ledger_transaction t ON t.kind = 'payin' AND t.reference = o.id::text
        WHERE o.status = 'SUCCESS' AND o.updated_at >= $2 AND o.updated_at < $3
        GROUP BY o.id HAVING count(t.id) <> 1
       UNION ALL
       SELECT r.id::text, count(t.id), 'Refund posted ' || count(t.id) || ' times', 'Post it exactly once'
         FROM refund r LEFT JOIN ledger_transaction t ON t.kind = 'refund' AND t.reference = r.id::text
        WHERE r.updated_at >= $2 AND r.updated_at < $3
        GROUP BY r.id HAVING count(t.id) <> 1
       UNION ALL
       SELECT p.id::text, count(t.id), 'Payout posted ' || count(t.id) || ' times', 'Post it exactly once'
         FROM payout p LEFT JOIN ledger_transaction t ON t.kind = 'payout' AND t.reference = p.id::text
        WHERE p.status <> 'CANCELED' AND p.updated_at >= $2 AND p.updated_at < $3
        GROUP BY p.id HAVING count(t.id) <> 1
     ) problems`,
    runId,
    period.start,
    period.end,
  );
  found += await db.$executeRawUnsafe(
    `INSERT INTO recon_item (run_id, area, outcome, classification, our_reference, detail, suggested_fix)
     SELECT $1::uuid, 'internal', 'STATUS_MISMATCH'::"ReconOutcome", 'UNCLASSIFIED'::"ReconClassification", id::text,
            'Checkout stuck awaiting the PSP since ' || to_char(updated_at, 'YYYY-MM-DD HH24:MI'),
            'Check the recovery job and the PSP'
       FROM payment_event WHERE status = 'EXECUTING' AND updated_at < now() - make_interval(mins => $2)
        AND psp_session_id IS NULL
     UNION ALL
     -- An order still EXECUTING under a checkout that has finished was left behind by its checkout.
     SELECT $1::uuid, 'internal', 'STATUS_MISMATCH'::"ReconOutcome", 'UNCLASSIFIED'::"ReconClassification", o.id::text,
            'Order stuck EXECUTING since ' || to_char(o.updated_at, 'YYYY-MM-DD HH24:MI') || ' under a ' || e.status || ' checkout',
            'Apply the checkout''s outcome to the order (the pay-in recovery job should have)'
       FROM payment_order o JOIN payment_event e ON e.id = o.payment_event_id
      WHERE o.status = 'EXECUTING' AND o.updated_at < now() - make_interval(mins => $2) AND e.status <> 'EXECUTING'`,
    runId,
    STUCK_AFTER_MINUTES,
  );
  return found;
}
