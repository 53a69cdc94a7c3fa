// External matching, set-based in SQL: the settlement records of a period against Payrail's
// records by PSP id, amount and status, in batches of settlement-record ids so progress shows and
// no statement grows with the period. PostgreSQL does the joins; the app holds no rows.
// Mismatches become recon items; matches are only counted.
import type { DbOrTx } from "@/server/db";

export interface Period {
  start: Date;
  end: Date;
}

/** The PSP's contracted card pricing, to check the fee of every charge. */
export function pricing() {
  return { bps: Number(process.env.PSP_FEE_BPS ?? 290), fixed: Number(process.env.PSP_FEE_FIXED ?? 30) };
}

/** Ledger kind of the claim booked when the PSP took more than its contracted fee (reference = balance transaction id). */
export const FEE_CLAIM_KIND = "settlement.fee_claim";

const MATCH_BATCH = Number(process.env.RECON_MATCH_BATCH ?? 50_000);

// One statement per batch: the records of [lo, hi] in the period, each joined to what Payrail holds
// for its source id, the mismatches inserted, the counts returned. A record is a DUPLICATE when an
// earlier record settles the same source (the first one is matched normally).
export const BATCH_SQL = `
WITH s AS (
  SELECT * FROM settlement_record
   WHERE id BETWEEN $4 AND $5 AND created_at_psp >= $2 AND created_at_psp < $3
), d AS (
  SELECT s.*, EXISTS (SELECT 1 FROM settlement_record x
                       WHERE x.type = s.type AND x.source_id = s.source_id AND x.id < s.id) AS duplicate
    FROM s WHERE s.type IN ('charge', 'refund', 'transfer')
), charge AS (
  SELECT d.id, d.source_id, d.amount, d.duplicate, e.id::text AS ours, e.status::text AS status, o.total AS expected
    FROM d
    LEFT JOIN payment_event e ON e.psp_charge_id = d.source_id
    LEFT JOIN LATERAL (SELECT sum(po.amount) AS total FROM payment_order po WHERE po.payment_event_id = e.id) o ON true
   WHERE d.type = 'charge'
), refund AS (
  SELECT d.id, d.source_id, -d.amount AS amount, d.duplicate, f.id::text AS ours, f.status::text AS status, f.amount AS expected,
         EXISTS (SELECT 1 FROM settlement_record x WHERE x.type = 'refund_failure' AND x.source_id = d.source_id) AS failed_at_psp
    FROM d LEFT JOIN refund f ON f.psp_refund_id = d.source_id
   WHERE d.type = 'refund'
), transfer AS (
  SELECT d.id, d.source_id, -d.amount AS amount, d.duplicate, p.id::text AS ours, p.status::text AS status, p.amount AS expected
    FROM d LEFT JOIN payout p ON p.psp_transfer_id = d.source_id
   WHERE d.type = 'transfer'
), found (id, area, outcome, classification, source_id, ours, expected, actual, detail, fix) AS (
  SELECT id, 'charge',
         CASE WHEN duplicate THEN 'DUPLICATE' WHEN ours IS NULL THEN 'MISSING_IN_LEDGER'
              WHEN status <> 'SUCCEEDED' THEN 'STATUS_MISMATCH' ELSE 'AMOUNT_MISMATCH' END,
         CASE WHEN duplicate OR (ours IS NOT NULL AND status = 'SUCCEEDED') THEN 'MANUAL' ELSE 'UNCLASSIFIED' END,
         source_id, ours, expected, amount,
         CASE WHEN duplicate THEN 'The PSP settled this charge more than once'
              WHEN ours IS NULL THEN 'The PSP charged a buyer for a checkout Payrail has not recorded as paid'
              WHEN status <> 'SUCCEEDED' THEN 'The PSP charged the buyer but the checkout is ' || status
              ELSE 'The PSP charged a different amount than the checkout''s orders total' END,
         CASE WHEN duplicate THEN 'Ask the PSP to reverse the duplicate settlement'
              WHEN ours IS NULL OR status <> 'SUCCEEDED' THEN 'Ask the PSP for the charge and apply its outcome'
              ELSE 'Refund the difference to the buyer or correct the order' END
    FROM charge
   WHERE duplicate OR ours IS NULL OR status <> 'SUCCEEDED' OR expected IS DISTINCT FROM amount
  UNION ALL
  SELECT id, 'refund',
         CASE WHEN duplicate THEN 'DUPLICATE' WHEN ours IS NULL THEN 'MISSING_IN_LEDGER'
              WHEN expected <> amount THEN 'AMOUNT_MISMATCH' ELSE 'STATUS_MISMATCH' END,
         CASE WHEN duplicate OR (ours IS NOT NULL AND expected <> amount) THEN 'MANUAL' ELSE 'UNCLASSIFIED' END,
         source_id, ours, expected, amount,
         CASE WHEN duplicate THEN 'The PSP settled this refund more than once: the buyer may have been refunded twice'
              WHEN ours IS NULL THEN 'The PSP refunded money Payrail has no refund for'
              WHEN expected <> amount THEN 'The PSP refunded a different amount'
              WHEN failed_at_psp THEN 'The refund failed at the PSP but is ' || status || ' here'
              ELSE 'The PSP refunded but the refund is ' || status || ' here' END,
         CASE WHEN duplicate THEN 'Ask the PSP to reverse the duplicate; recover the money from the buyer if it was paid twice'
              WHEN ours IS NULL THEN 'Find which refund this is; if the buyer was refunded twice, recover the duplicate'
              ELSE 'Ask the PSP for the refund and apply its state' END
    FROM refund
   WHERE duplicate OR ours IS NULL OR expected <> amount
      OR (failed_at_psp AND status <> 'FAILED') OR (NOT failed_at_psp AND status <> 'SUCCEEDED')
  UNION ALL
  SELECT id, 'transfer',
         CASE WHEN duplicate THEN 'DUPLICATE' WHEN ours IS NULL THEN 'MISSING_IN_LEDGER'
              WHEN expected <> amount THEN 'AMOUNT_MISMATCH' ELSE 'STATUS_MISMATCH' END,
         CASE WHEN duplicate OR (ours IS NOT NULL AND expected <> amount) THEN 'MANUAL' ELSE 'UNCLASSIFIED' END,
         source_id, ours, expected, amount,
         CASE WHEN duplicate THEN 'The PSP settled this transfer more than once'
              WHEN ours IS NULL THEN 'The PSP transferred money to a seller without a payout in Payrail'
              WHEN expected <> amount THEN 'The PSP transferred a different amount than the payout'
              ELSE 'The PSP made the transfer but the payout is ' || status END,
         CASE WHEN duplicate THEN 'Ask the PSP to reverse the duplicate transfer'
              WHEN ours IS NULL THEN 'Reverse the transfer at the PSP'
              ELSE 'Ask the PSP for the transfer and apply its state' END
    FROM transfer
   WHERE duplicate OR ours IS NULL OR expected <> amount OR status NOT IN ('PAID', 'FAILED')
  UNION ALL
  -- The fee of every charge against the contract. Above it: a claim on the PSP, booked by the
  -- run's auto-fix (UNCLASSIFIED until then); once booked the record is clean. Below it: finance.
  SELECT id, 'fee', 'AMOUNT_MISMATCH',
         CASE WHEN fee > expected_fee THEN 'UNCLASSIFIED' ELSE 'MANUAL' END,
         source_id, psp_balance_transaction_id, expected_fee, fee,
         'The PSP took a fee that differs from the contracted ' || trim_scale($6::int / 100.0) || ' % + ' || $7::int,
         CASE WHEN fee > expected_fee THEN 'Book the excess as a claim on the PSP and claim it'
              ELSE 'Confirm the PSP''s price list; the ledger already holds the fee it took' END
    FROM (SELECT s.*, (s.amount * $6::int * 2 + 10000) / 20000 + $7::int AS expected_fee FROM s WHERE s.type = 'charge') c
   WHERE fee <> expected_fee
     AND NOT EXISTS (SELECT 1 FROM ledger_transaction t WHERE t.kind = '${FEE_CLAIM_KIND}' AND t.reference = c.psp_balance_transaction_id)
), ins AS (
  INSERT INTO recon_item (run_id, settlement_record_id, area, outcome, classification, psp_reference, our_reference,
                          expected_amount, actual_amount, detail, suggested_fix)
  SELECT $1::uuid, id, area, outcome::"ReconOutcome", classification::"ReconClassification", source_id, ours, expected, actual, detail, fix
    FROM found
  RETURNING settlement_record_id
)
SELECT (SELECT count(*) FROM s)::int AS records,
       (SELECT count(*) FROM d)::int AS matchable,
       (SELECT count(DISTINCT settlement_record_id) FROM ins)::int AS mismatched`;

export interface MatchCounts {
  /** settlement records of the period */
  records: number;
  /** of those, the types matched against Payrail (charge, refund, transfer) */
  matchable: number;
  /** matchable records with at least one mismatch */
  mismatched: number;
  /** Payrail-side records the PSP did not settle */
  missingAtPsp: number;
}

/**
 * Matches every settlement record of the period, one batch of ids at a time (each one statement),
 * reporting the records done after each batch. `parallel` > 1 needs a pooled client, not a
 * transaction (one connection). Then looks the other way: what Payrail holds as
 * done that the PSP never settled.
 */
export async function matchSettlements(
  db: DbOrTx,
  runId: string,
  period: Period,
  onProgress: (processed: number) => Promise<void> = async () => {},
  { batchSize = MATCH_BATCH, parallel = 1 }: { batchSize?: number; parallel?: number } = {},
): Promise<MatchCounts> {
  const { bps, fixed } = pricing();
  const [bounds] = await db.$queryRawUnsafe<{ lo: bigint | null; hi: bigint | null }[]>(
    `SELECT min(id) AS lo, max(id) AS hi FROM settlement_record WHERE created_at_psp >= $1 AND created_at_psp < $2`,
    period.start,
    period.end,
  );
  const counts: MatchCounts = { records: 0, matchable: 0, mismatched: 0, missingAtPsp: 0 };
  if (bounds?.lo != null && bounds.hi != null) {
    const step = BigInt(batchSize);
    const hi = bounds.hi;
    let next = bounds.lo;
    // Batches are independent (disjoint ids), so `parallel` connections can work through them.
    const worker = async () => {
      while (next <= hi) {
        const lo = next;
        next += step;
        const [batch] = await db.$queryRawUnsafe<
          { records: number; matchable: number; mismatched: number }[]
        >(BATCH_SQL, runId, period.start, period.end, lo, lo + step - 1n, bps, fixed);
        counts.records += batch!.records;
        counts.matchable += batch!.matchable;
        counts.mismatched += batch!.mismatched;
        await onProgress(counts.records);
      }
    };
    await Promise.all(Array.from({ length: Math.max(1, parallel) }, worker));
  }
  counts.missingAtPsp = await matchMissingAtPsp(db, runId, period);
  return counts;
}

/** Checkouts, refunds and payouts Payrail holds as done in the period that the PSP never settled. */
export async function matchMissingAtPsp(db: DbOrTx, runId: string, period: Period): Promise<number> {
  return db.$executeRawUnsafe(
    `INSERT INTO recon_item (run_id, area, outcome, classification, psp_reference, our_reference,
                             expected_amount, actual_amount, detail, suggested_fix)
     SELECT $1::uuid, 'charge', 'MISSING_AT_PSP'::"ReconOutcome", 'MANUAL'::"ReconClassification", e.psp_charge_id, e.id::text, e.total_amount, NULL::bigint,
            'Payrail recorded this checkout as paid but the PSP settled no such charge',
            'Ask the PSP about the charge; if it never happened, reverse the posting and tell the seller'
       FROM payment_event e
      WHERE e.status = 'SUCCEEDED' AND e.updated_at >= $2 AND e.updated_at < $3 AND e.psp_charge_id IS NOT NULL
        AND NOT EXISTS (SELECT 1 FROM settlement_record s WHERE s.type = 'charge' AND s.source_id = e.psp_charge_id)
     UNION ALL
     SELECT $1::uuid, 'refund', 'MISSING_AT_PSP'::"ReconOutcome", 'MANUAL'::"ReconClassification", f.psp_refund_id, f.id::text, f.amount, NULL::bigint,
            'Payrail shows this refund as done but the PSP settled no such refund',
            'Ask the PSP; if the buyer was never refunded, refund again'
       FROM refund f
      WHERE f.status = 'SUCCEEDED' AND f.updated_at >= $2 AND f.updated_at < $3
        AND NOT EXISTS (SELECT 1 FROM settlement_record s WHERE s.type = 'refund' AND s.source_id = f.psp_refund_id)
     UNION ALL
     SELECT $1::uuid, 'transfer', 'MISSING_AT_PSP'::"ReconOutcome", 'MANUAL'::"ReconClassification", p.psp_transfer_id, p.id::text, p.amount, NULL::bigint,
            'Payrail shows this payout as PAID but the PSP settled no such transfer',
            'Ask the PSP for the transfer; if it never happened, fail the payout so the money returns to the wallet'
       FROM payout p
      WHERE p.status = 'PAID' AND p.updated_at >= $2 AND p.updated_at < $3
        AND NOT EXISTS (SELECT 1 FROM settlement_record s WHERE s.type = 'transfer' AND s.source_id = p.psp_transfer_id)`,
    runId,
    period.start,
    period.end,
  );
}
