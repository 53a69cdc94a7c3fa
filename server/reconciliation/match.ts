// External matching, set-based in SQL: every settlement record of the period against Payrail's
// records by PSP id, amount and status. Mismatches become recon items; matches are only counted.
import type { DbOrTx } from "@/server/db";

export interface Period {
  start: Date;
  end: Date;
}

/** The PSP's contracted card pricing, to check the fee of every charge. */
export function pricing() {
  return { bps: Number(process.env.PSP_FEE_BPS ?? 290), fixed: Number(process.env.PSP_FEE_FIXED ?? 30) };
}

const insert = `INSERT INTO recon_item (run_id, area, outcome, classification, psp_reference, our_reference,
                                        expected_amount, actual_amount, detail, suggested_fix)`;

/** Matches one area; returns how many settlement records it looked at and how many matched. */
async function run(db: DbOrTx, sql: string, countSql: string, runId: string, period: Period) {
  const inserted = await db.$executeRawUnsafe(sql, runId, period.start, period.end);
  const [{ total }] = (await db.$queryRawUnsafe<{ total: number }[]>(countSql, period.start, period.end)) as [
    { total: number },
  ];
  return { total, mismatched: inserted };
}

export async function matchCharges(db: DbOrTx, runId: string, period: Period) {
  const { bps, fixed } = pricing();
  const charges = await run(
    db,
    `WITH c AS (SELECT * FROM settlement_record WHERE type = 'charge' AND created_at_psp >= $2 AND created_at_psp < $3),
          dup AS (SELECT source_id FROM settlement_record WHERE type = 'charge' GROUP BY source_id HAVING count(*) > 1),
          j AS (SELECT c.psp_id, c.source_id, c.amount, e.id::text AS event_id, e.status::text AS status, e.total_amount,
                       EXISTS (SELECT 1 FROM dup WHERE dup.source_id = c.source_id) AS duplicate
                  FROM c LEFT JOIN payment_event e ON e.psp_charge_id = c.source_id)
     ${insert}
     SELECT $1, 'charge',
            (CASE WHEN duplicate THEN 'DUPLICATE' WHEN event_id IS NULL THEN 'MISSING_IN_LEDGER'
                  WHEN status <> 'SUCCEEDED' THEN 'STATUS_MISMATCH' ELSE 'AMOUNT_MISMATCH' END)::"ReconOutcome",
            (CASE WHEN duplicate OR (event_id IS NOT NULL AND status = 'SUCCEEDED') THEN 'MANUAL' ELSE 'UNCLASSIFIED' END)::"ReconClassification",
            source_id, event_id, total_amount, amount,
            CASE WHEN duplicate THEN 'The PSP settled this charge more than once'
                 WHEN event_id IS NULL THEN 'The PSP charged a buyer for a checkout Payrail has not recorded as paid'
                 WHEN status <> 'SUCCEEDED' THEN 'The PSP charged the buyer but the checkout is ' || status
                 ELSE 'The PSP charged a different amount than the checkout total' END,
            CASE WHEN duplicate THEN 'Ask the PSP to reverse the duplicate settlement'
                 WHEN event_id IS NULL OR status <> 'SUCCEEDED' THEN 'Ask the PSP for the charge and apply its outcome'
                 ELSE 'Refund the difference to the buyer or correct the order' END
       FROM j WHERE duplicate OR event_id IS NULL OR status <> 'SUCCEEDED' OR total_amount <> amount`,
    `SELECT count(*)::int AS total FROM settlement_record WHERE type = 'charge' AND created_at_psp >= $1 AND created_at_psp < $2`,
    runId,
    period,
  );
  const fees = await db.$executeRawUnsafe(
    `${insert}
     SELECT $1, 'fee', 'AMOUNT_MISMATCH', 'MANUAL', source_id, psp_id,
            (amount * $4 * 2 + 10000) / 20000 + $5, fee,
            'The PSP took a fee that differs from the contracted ' || ($4 / 100.0) || ' % + ' || $5,
            'Claim the difference from the PSP'
       FROM settlement_record
      WHERE type = 'charge' AND created_at_psp >= $2 AND created_at_psp < $3
        AND fee <> (amount * $4 * 2 + 10000) / 20000 + $5`,
    runId,
    period.start,
    period.end,
    bps,
    fixed,
  );
  const missingAtPsp = await db.$executeRawUnsafe(
    `${insert}
     SELECT $1, 'charge', 'MISSING_AT_PSP', 'MANUAL', e.psp_charge_id, e.id::text, e.total_amount, NULL,
            'Payrail recorded this checkout as paid but the PSP settled no such charge in the period',
            'Ask the PSP about the charge; if it never happened, refund nothing and reverse the posting'
       FROM payment_event e
      WHERE e.status = 'SUCCEEDED' AND e.updated_at >= $2 AND e.updated_at < $3 AND e.psp_charge_id IS NOT NULL
        AND NOT EXISTS (SELECT 1 FROM settlement_record s WHERE s.type = 'charge' AND s.source_id = e.psp_charge_id)`,
    runId,
    period.start,
    period.end,
  );
  return { total: charges.total, mismatched: charges.mismatched, missingAtPsp, fees };
}

export async function matchRefunds(db: DbOrTx, runId: string, period: Period) {
  const refunds = await run(
    db,
    `WITH r AS (SELECT * FROM settlement_record WHERE type = 'refund' AND created_at_psp >= $2 AND created_at_psp < $3),
          j AS (SELECT r.source_id, -r.amount AS amount, f.id::text AS refund_id, f.status::text AS status, f.amount AS our_amount,
                       EXISTS (SELECT 1 FROM settlement_record x WHERE x.type = 'refund_failure' AND x.source_id = r.source_id) AS failed_at_psp
                  FROM r LEFT JOIN refund f ON f.psp_refund_id = r.source_id)
     ${insert}
     SELECT $1, 'refund',
            (CASE WHEN refund_id IS NULL THEN 'MISSING_IN_LEDGER' WHEN our_amount <> amount THEN 'AMOUNT_MISMATCH' ELSE 'STATUS_MISMATCH' END)::"ReconOutcome",
            (CASE WHEN refund_id IS NOT NULL AND our_amount <> amount THEN 'MANUAL' ELSE 'UNCLASSIFIED' END)::"ReconClassification",
            source_id, refund_id, our_amount, amount,
            CASE WHEN refund_id IS NULL THEN 'The PSP refunded money Payrail has no refund for'
                 WHEN our_amount <> amount THEN 'The PSP refunded a different amount'
                 WHEN failed_at_psp THEN 'The refund failed at the PSP but is ' || status || ' here'
                 ELSE 'The PSP refunded but the refund is ' || status || ' here' END,
            CASE WHEN refund_id IS NULL THEN 'Find which refund this is; if the buyer was refunded twice, recover the duplicate'
                 ELSE 'Ask the PSP for the refund and apply its state' END
       FROM j
      WHERE refund_id IS NULL OR our_amount <> amount
         OR (failed_at_psp AND status <> 'FAILED') OR (NOT failed_at_psp AND status <> 'SUCCEEDED')`,
    `SELECT count(*)::int AS total FROM settlement_record WHERE type = 'refund' AND created_at_psp >= $1 AND created_at_psp < $2`,
    runId,
    period,
  );
  const missingAtPsp = await db.$executeRawUnsafe(
    `${insert}
     SELECT $1, 'refund', 'MISSING_AT_PSP', 'MANUAL', f.psp_refund_id, f.id::text, f.amount, NULL,
            'Payrail shows this refund as done but the PSP settled no such refund',
            'Ask the PSP; if the buyer was never refunded, refund again'
       FROM refund f
      WHERE f.status = 'SUCCEEDED' AND f.updated_at >= $2 AND f.updated_at < $3
        AND NOT EXISTS (SELECT 1 FROM settlement_record s WHERE s.type = 'refund' AND s.source_id = f.psp_refund_id)`,
    runId,
    period.start,
    period.end,
  );
  return { total: refunds.total, mismatched: refunds.mismatched, missingAtPsp };
}

export async function matchTransfers(db: DbOrTx, runId: string, period: Period) {
  return run(
    db,
    `WITH t AS (SELECT * FROM settlement_record WHERE type = 'transfer' AND created_at_psp >= $2 AND created_at_psp < $3),
          j AS (SELECT t.source_id, -t.amount AS amount, p.id::text AS payout_id, p.status::text AS status, p.amount AS our_amount
                  FROM t LEFT JOIN payout p ON p.psp_transfer_id = t.source_id)
     ${insert}
     SELECT $1, 'transfer',
            (CASE WHEN payout_id IS NULL THEN 'MISSING_IN_LEDGER' WHEN our_amount <> amount THEN 'AMOUNT_MISMATCH' ELSE 'STATUS_MISMATCH' END)::"ReconOutcome",
            (CASE WHEN payout_id IS NOT NULL AND our_amount <> amount THEN 'MANUAL' ELSE 'UNCLASSIFIED' END)::"ReconClassification",
            source_id, payout_id, our_amount, amount,
            CASE WHEN payout_id IS NULL THEN 'The PSP transferred money to a seller without a payout in Payrail'
                 WHEN our_amount <> amount THEN 'The PSP transferred a different amount than the payout'
                 ELSE 'The PSP made the transfer but the payout is ' || status END,
            CASE WHEN payout_id IS NULL THEN 'Reverse the transfer at the PSP' ELSE 'Ask the PSP for the transfer and apply its state' END
       FROM j WHERE payout_id IS NULL OR our_amount <> amount OR status NOT IN ('PAID', 'FAILED')`,
    `SELECT count(*)::int AS total FROM settlement_record WHERE type = 'transfer' AND created_at_psp >= $1 AND created_at_psp < $2`,
    runId,
    period,
  );
}
