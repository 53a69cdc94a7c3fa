// After the run settles: every invariant of DESIGN.md, checked with SQL and against the PSP
// emulator's own records. Each check returns the violations it found.
import pg from "pg";
import Stripe from "stripe";
import { createPostgresClient } from "@/server/db";
import { checkLedgerInvariants } from "@/server/ledger/invariants";

export interface CheckResult {
  name: string;
  violations: string[];
}

function stripeFor(emulatorUrl: string): Stripe {
  const url = new URL(emulatorUrl);
  return new Stripe("sk_test_chaos", { host: url.hostname, port: Number(url.port), protocol: "http" });
}

export async function runChecks(
  databaseUrl: string,
  emulatorUrl: string,
  reconRunId: string,
): Promise<CheckResult[]> {
  const sql = new pg.Client({ connectionString: databaseUrl });
  await sql.connect();
  const db = createPostgresClient(databaseUrl, 2);
  const stripe = stripeFor(emulatorUrl);
  const results: CheckResult[] = [];
  const check = async (name: string, run: () => Promise<string[]>) => {
    try {
      results.push({ name, violations: await run() });
    } catch (error) {
      results.push({ name, violations: [`check failed to run: ${(error as Error).message}`] });
    }
  };
  const rows = async (text: string) => (await sql.query(text)).rows as Record<string, unknown>[];

  try {
    await check(
      "ledger: balanced transactions, zero trial balance, wallet = ledger, no negative wallet",
      async () => {
        const report = await checkLedgerInvariants(db);
        return report.violations.map((violation) => `${violation.invariant}: ${violation.detail}`);
      },
    );

    const sessions: Stripe.Checkout.Session[] = [];
    for await (const session of stripe.checkout.sessions.list({ limit: 100 })) sessions.push(session);
    const paidByCheckout = new Map<string, string[]>();
    for (const session of sessions) {
      const checkoutId = session.metadata?.payment_event_id;
      if (session.payment_status === "paid" && checkoutId) {
        paidByCheckout.set(checkoutId, [...(paidByCheckout.get(checkoutId) ?? []), session.id]);
      }
    }

    await check("no buyer charged twice for one checkout", async () =>
      [...paidByCheckout]
        .filter(([, paid]) => paid.length > 1)
        .map(([id, paid]) => `${id}: ${paid.join(", ")}`),
    );

    await check("every PSP charge is one SUCCEEDED checkout, posted once per order", async () => {
      const events = new Map(
        (
          await rows(`SELECT e.id::text, e.status::text,
                  (SELECT count(*) FROM payment_order o WHERE o.payment_event_id = e.id)::int AS orders,
                  (SELECT count(*) FROM payment_order o JOIN ledger_transaction t
                     ON t.kind = 'payin' AND t.reference = o.id::text WHERE o.payment_event_id = e.id)::int AS postings
             FROM payment_event e`)
        ).map((row) => [row.id as string, row]),
      );
      const problems: string[] = [];
      for (const checkoutId of paidByCheckout.keys()) {
        const event = events.get(checkoutId);
        if (!event) problems.push(`${checkoutId}: charged at the PSP, unknown to Payrail`);
        else if (event.status !== "SUCCEEDED")
          problems.push(`${checkoutId}: charged at the PSP but ${event.status}`);
        else if (event.postings !== event.orders)
          problems.push(`${checkoutId}: ${event.postings} postings for ${event.orders} orders`);
      }
      for (const [id, event] of events) {
        if (event.status === "SUCCEEDED" && !paidByCheckout.has(id))
          problems.push(`${id}: SUCCEEDED without a PSP charge`);
        if (event.status !== "SUCCEEDED" && (event.postings as number) > 0)
          problems.push(`${id}: ${event.status} but posted`);
      }
      return problems;
    });

    await check("every refund executed at most once at the PSP and posted exactly once", async () => {
      const pspRefunds = new Map<string, Stripe.Refund[]>();
      for await (const refund of stripe.refunds.list({ limit: 100 })) {
        const id = refund.metadata?.refund_id;
        if (id) pspRefunds.set(id, [...(pspRefunds.get(id) ?? []), refund]);
      }
      const problems: string[] = [];
      for (const [id, list] of pspRefunds)
        if (list.length > 1) problems.push(`${id}: ${list.length} refunds at the PSP`);
      for (const refund of await rows(`SELECT r.id::text, r.status::text,
            (SELECT count(*) FROM ledger_transaction t WHERE t.kind = 'refund' AND t.reference = r.id::text)::int AS posted,
            (SELECT count(*) FROM ledger_transaction t WHERE t.kind = 'refund.reversal' AND t.reference = r.id::text)::int AS reversed
          FROM refund r`)) {
        const id = refund.id as string;
        if (refund.posted !== 1) problems.push(`${id}: posted ${refund.posted} times`);
        const psp = pspRefunds.get(id)?.[0];
        const failedAtPsp = psp?.status === "failed" || psp?.status === "canceled";
        if (refund.status === "FAILED" && refund.reversed !== 1)
          problems.push(`${id}: FAILED but reversed ${refund.reversed} times`);
        if (refund.status !== "FAILED" && refund.reversed !== 0)
          problems.push(`${id}: ${refund.status} but reversed`);
        if (failedAtPsp && refund.status !== "FAILED")
          problems.push(`${id}: failed at the PSP, ${refund.status} here`);
        if (psp?.status === "succeeded" && refund.status !== "SUCCEEDED")
          problems.push(`${id}: succeeded at the PSP, ${refund.status} here`);
      }
      return problems;
    });

    await check("every payout transferred at most once, posted once, and agrees with the PSP", async () => {
      const transfers = new Map<string, Stripe.Transfer[]>();
      for await (const transfer of stripe.transfers.list({ limit: 100 })) {
        const id = transfer.metadata?.payout_id ?? `(no payout id) ${transfer.id}`;
        transfers.set(id, [...(transfers.get(id) ?? []), transfer]);
      }
      const problems: string[] = [];
      const payouts = await rows(`SELECT p.id::text, p.status::text,
            (SELECT count(*) FROM ledger_transaction t WHERE t.kind = 'payout' AND t.reference = p.id::text)::int AS posted,
            (SELECT count(*) FROM ledger_transaction t WHERE t.kind = 'payout.paid' AND t.reference = p.id::text)::int AS paid,
            (SELECT count(*) FROM ledger_transaction t WHERE t.kind = 'payout.reversal' AND t.reference = p.id::text)::int AS reversed
          FROM payout p`);
      const known = new Set(payouts.map((payout) => payout.id as string));
      for (const [id, list] of transfers) {
        if (list.length > 1) problems.push(`${id}: ${list.length} transfers at the PSP`);
        if (!known.has(id)) problems.push(`${id}: transferred at the PSP, unknown to Payrail`);
      }
      for (const payout of payouts) {
        const id = payout.id as string;
        const transfer = transfers.get(id)?.[0];
        const live = transfer !== undefined && !transfer.reversed;
        if (payout.posted !== 1) problems.push(`${id}: posted ${payout.posted} times`);
        if (payout.status === "PAID" && !(live && payout.paid === 1 && payout.reversed === 0))
          problems.push(
            `${id}: PAID, transfer ${transfer ? (live ? "live" : "reversed") : "missing"}, paid posted ${payout.paid}, reversed ${payout.reversed}`,
          );
        if (payout.status === "FAILED" && (live || payout.reversed !== 1))
          problems.push(
            `${id}: FAILED with transfer ${live ? "live (paid and refunded)" : "gone"}, reversed ${payout.reversed} times`,
          );
        if (payout.status === "CANCELED" && (transfer || payout.reversed !== 1))
          problems.push(
            `${id}: CANCELED, transfer ${transfer ? "exists" : "none"}, reversed ${payout.reversed} times`,
          );
      }
      return problems;
    });

    await check(
      "reconciliation of the whole run is clean (every mismatch fixed from the PSP's truth)",
      async () => {
        const run = (await rows(`SELECT status::text, error FROM recon_run WHERE id = '${reconRunId}'`))[0];
        if (run?.status !== "COMPLETED")
          return [`the final reconciliation run is ${run?.status ?? "missing"} ${run?.error ?? ""}`];
        return (
          await rows(`SELECT area || ' ' || outcome || ' ' || coalesce(psp_reference, '') || ' ' || coalesce(our_reference, '') || ': ' || detail AS item
                      FROM recon_item WHERE run_id = '${reconRunId}' AND classification <> 'AUTO_FIXED'`)
        ).map((row) => row.item as string);
      },
    );

    await check("every webhook event processed, on receipt or by the sweep's job", async () =>
      // The sweep gives a job to an event unprocessed 10 s after it arrived, within a minute:
      // one older than that and still unprocessed was left behind.
      (
        await rows(`SELECT e.id || ' ' || e.type || ', received ' || e.received_at || ', swept ' || coalesce(e.backup_enqueued_at::text, 'never')
                           || coalesce(', job ' || j.state || ' after ' || j.retry_count || ' retries: ' || coalesce(j.output->>'message', 'no error'), '') AS item
                      FROM psp_webhook_event e
                      LEFT JOIN pgboss.job j ON j.name = 'payin.process-webhook' AND j.data->>'eventId' = e.id
                     WHERE e.processed_at IS NULL AND e.received_at < now() - interval '90 seconds'`)
      ).map((row) => row.item as string),
    );

    await check("nothing left EXECUTING, PENDING or PROCESSING", async () => {
      const stuck = await rows(`
        SELECT 'payment_event ' || id || ' EXECUTING, attempt ' || attempt || ', session ' || coalesce(psp_session_id, 'none') || ', last change ' || updated_at AS item, psp_session_id AS session FROM payment_event WHERE status = 'EXECUTING'
        UNION ALL SELECT 'refund ' || id || ' PENDING, PSP refund ' || coalesce(psp_refund_id, 'none'), NULL FROM refund WHERE status = 'PENDING'
        UNION ALL SELECT 'payout ' || id || ' ' || status || ', transfer ' || coalesce(psp_transfer_id, 'none') || ', last change ' || updated_at, NULL FROM payout WHERE status IN ('PENDING', 'PROCESSING')`);
      // What the PSP says about a stuck checkout, so the report alone says where to look.
      const pspView = (id: unknown) =>
        typeof id !== "string"
          ? Promise.resolve("")
          : stripe.checkout.sessions.retrieve(id, { expand: ["payment_intent"] }).then(
              (session) => {
                const intent = session.payment_intent as Stripe.PaymentIntent | null;
                return `; at the PSP: session ${session.status}/${session.payment_status}, intent ${intent?.status ?? "none"}${intent?.last_payment_error ? ` (${intent.last_payment_error.code})` : ""}`;
              },
              (error: Error) => `; at the PSP: ${error.message}`,
            );
      return Promise.all(stuck.map(async (row) => `${row.item}${await pspView(row.session)}`));
    });
  } finally {
    await sql.end();
    await db.$disconnect();
  }
  return results;
}

/** What the run produced, by table and status, so a clean report shows what it covered. */
export async function summarize(databaseUrl: string): Promise<Record<string, Record<string, number>>> {
  const sql = new pg.Client({ connectionString: databaseUrl });
  await sql.connect();
  try {
    const { rows } = await sql.query<{ entity: string; status: string; n: number }>(`
      SELECT 'checkouts' AS entity, status::text, count(*)::int AS n FROM payment_event GROUP BY status
      UNION ALL SELECT 'refunds', status::text, count(*)::int FROM refund GROUP BY status
      UNION ALL SELECT 'payouts', status::text, count(*)::int FROM payout GROUP BY status
      UNION ALL SELECT 'ledger', 'transactions', count(*)::int FROM ledger_transaction`);
    const summary: Record<string, Record<string, number>> = {};
    for (const row of rows) summary[row.entity] = { ...summary[row.entity], [row.status]: row.n };
    return summary;
  } finally {
    await sql.end();
  }
}
