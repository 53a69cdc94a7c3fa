// Step 5: apply the PSP's verdict. Each function locks the checkout row, so webhooks, the return
// page and recovery jobs racing on one checkout apply it once; repeating a verdict is a no-op.
import type { Prisma } from "@/generated/prisma/client";
import { type Db, type DbOrTx, hotTransaction, inIdOrder, preparedStatement, type RawSql } from "@/server/db";
import { firstOfEachKey, groupCommitPerDb, type Settled } from "@/server/db/group-commit";
import { NotFoundError } from "@/server/errors";
import { UnknownAccountError } from "@/server/ledger/errors";
import { ensureSellerAccounts, postTransactions } from "@/server/ledger/post-transaction";
import { crashPoint } from "@/server/runtime/crash-points";
import { transitionOrders, transitionOrdersOfEvents } from "./state-machine";

/** A checkout's order as its postings need it: fields fixed when the checkout was created. */
interface OrderRow {
  id: string;
  sellerId: string;
  amount: bigint;
  commission: bigint;
  currency: string;
}

/**
 * Seller accounts known to exist, per database client. Accounts are never deleted, so once a
 * transaction that created (or found) them has committed, later postings need not ask again.
 * Filled only after a commit; a stale entry (a database reset under a live client) cannot post
 * wrongly: the posting fails on the missing account or wallet, and the cache is dropped.
 */
const knownSellerAccounts = new WeakMap<object, Set<string>>();

async function ensureAccountsOnce(db: Db, tx: RawSql, orders: OrderRow[]): Promise<string[]> {
  const known = knownSellerAccounts.get(db);
  const created: string[] = [];
  // In seller order: two checkouts creating the same sellers' accounts in opposite orders would
  // deadlock on the unique index.
  const bySeller = [...orders].sort((a, b) =>
    a.sellerId < b.sellerId ? -1 : a.sellerId > b.sellerId ? 1 : 0,
  );
  for (const order of bySeller) {
    const key = `${order.sellerId}|${order.currency}`;
    if (known?.has(key) || created.includes(key)) continue;
    await ensureSellerAccounts(tx, order.sellerId, order.currency);
    created.push(key);
  }
  return created;
}

const isMissingAccount = (error: unknown) =>
  error instanceof UnknownAccountError || /seller wallet is missing/.test((error as Error).message);

export interface SuccessDetails {
  paymentIntentId: string | null;
  chargeId: string | null;
  actor: string;
  /**
   * The webhook event that reported it (its verified JSON as `payload`): stored processed in the
   * same transaction, or marked processed if it was stored already.
   */
  webhookEvent?: ReportingEvent;
}

export interface ReportingEvent {
  id: string;
  type: string;
  payload: string;
}

/** Throws NotFoundError unless the checkout exists (after a no-op, to tell "done" from "absent"). */
async function assertExists(db: RawSql, checkoutId: string) {
  const rows = await db.$queryRawUnsafe<unknown[]>(
    `SELECT 1 FROM payment_event WHERE id = $1::uuid`,
    checkoutId,
  );
  if (rows.length === 0) throw new NotFoundError("Checkout");
}

/** A success to record: which checkout, and what the PSP told us. */
interface Success {
  checkoutId: string;
  details: SuccessDetails;
}

// The webhook events that reported these successes ($4–$6) are stored processed by the same
// statement (or marked processed, if stored before), so an event counts as processed exactly
// when its success is committed (a repeated success's event too: nothing is left to do for it).
const SUCCEED_BATCH = preparedStatement(
  "payin_succeed_batch",
  `WITH processed AS (
     INSERT INTO psp_webhook_event AS stored (id, type, payload, processed_at)
     SELECT id, type, payload::jsonb, now() FROM unnest($4::text[], $5::text[], $6::text[]) AS r(id, type, payload)
     ON CONFLICT (id) DO UPDATE SET processed_at = now() WHERE stored.processed_at IS NULL
   ), wanted AS (
     SELECT * FROM unnest($1::uuid[], $2::text[], $3::text[]) AS w(id, intent_id, charge_id)
   ), locked AS (
     SELECT e.id FROM payment_event e JOIN wanted w USING (id)
      WHERE e.status <> 'SUCCEEDED'
      ORDER BY e.id
        FOR UPDATE OF e
   ), event AS (
     UPDATE payment_event e
        SET status = 'SUCCEEDED', is_payment_done = true,
            psp_payment_intent_id = coalesce(w.intent_id, e.psp_payment_intent_id),
            psp_charge_id = coalesce(w.charge_id, e.psp_charge_id),
            failure_code = NULL, failure_message = NULL, updated_at = now()
       FROM locked l JOIN wanted w USING (id)
      WHERE e.id = l.id
     RETURNING e.id
   )
   SELECT o.id::text, o.payment_event_id::text AS "checkoutId", o.seller_id::text AS "sellerId",
          o.amount, o.commission, trim(o.currency) AS currency
     FROM event JOIN payment_order o ON o.payment_event_id = event.id
    ORDER BY o.id`,
);

/**
 * Marks a paid checkout SUCCEEDED and posts one ledger transaction per order in the same
 * database transaction. Invariant: every PSP success is posted exactly once. Resolves true when
 * this call recorded it, false when it was already recorded.
 *
 * Successes recorded at the same time in this process are group-committed: one database
 * transaction for the batch (each checkout's move and postings together in it, as alone).
 */
export function recordPaymentSucceeded(
  db: Db,
  checkoutId: string,
  details: SuccessDetails,
): Promise<boolean> {
  return recordSuccess(db, { checkoutId, details });
}

const SUCCESS_BATCH = 64;
const recordSuccess = groupCommitPerDb(recordBatch, SUCCESS_BATCH);

/**
 * One transaction for the whole batch (if it fails, `groupCommit` records each success alone). A
 * checkout twice in the batch is recorded by its first call; the second finds it recorded.
 */
async function recordBatch(db: Db, batch: Success[]): Promise<Settled<boolean>[]> {
  const byCheckout = new Map<string, Success>();
  for (const success of batch)
    if (!byCheckout.has(success.checkoutId)) byCheckout.set(success.checkoutId, success);
  const unique = [...byCheckout.values()];
  // Every reporting event, a checkout's second one included; each once (one statement may not
  // upsert a row twice), in id order (the order its unique-index locks are taken in).
  const events = new Map<string, ReportingEvent>();
  for (const { details } of batch)
    if (details.webhookEvent) events.set(details.webhookEvent.id, details.webhookEvent);
  const reporting = inIdOrder(events.values());
  const recorded = await succeed(db, unique, reporting).catch((error: unknown) => {
    if (!isMissingAccount(error) || !knownSellerAccounts.has(db)) throw error;
    knownSellerAccounts.delete(db); // rolled back; ask for the accounts again
    return succeed(db, unique, reporting);
  });
  return firstOfEachKey(batch, (success) => success.checkoutId, recorded);
}

/**
 * Records the successes in one database transaction; returns the checkouts it moved (the others
 * were SUCCEEDED already). Round trips: the checkouts' update (which takes their row locks, in
 * id order, and skips those already SUCCEEDED) returning their orders and storing the reporting
 * webhook events processed; the orders' transitions; the postings (`postTransactions`). The
 * postings come last because they lock the sellers' wallet rows, which concurrent checkouts of
 * the same sellers wait for: held from there to the commit only.
 */
async function succeed(db: Db, successes: Success[], reporting: ReportingEvent[]): Promise<Set<string>> {
  let ensured: string[] = [];
  const moved = await hotTransaction(db, async (tx) => {
    // The lock re-reads each row after waiting for a concurrent writer, so the status check
    // sees its latest version. The orders' fields used below never change after the checkout is
    // created.
    const orders = await tx.$queryRawUnsafe<(OrderRow & { checkoutId: string })[]>(
      SUCCEED_BATCH,
      successes.map((success) => success.checkoutId),
      successes.map((success) => success.details.paymentIntentId),
      successes.map((success) => success.details.chargeId),
      reporting.map((event) => event.id),
      reporting.map((event) => event.type),
      reporting.map((event) => event.payload),
    );
    const movedIds = new Set(orders.map((order) => order.checkoutId));
    const absent = successes.filter((success) => !movedIds.has(success.checkoutId));
    for (const success of absent) await assertExists(tx, success.checkoutId);
    if (orders.length === 0) return movedIds;
    ensured = await ensureAccountsOnce(db, tx, orders);
    // Refuses (and so rolls back everything) unless every order may move to SUCCESS.
    await transitionOrdersOfEvents(
      tx,
      successes
        .filter((success) => movedIds.has(success.checkoutId))
        .map((success) => ({ paymentEventId: success.checkoutId, actor: success.details.actor })),
      "SUCCESS",
      {
        reason: "the PSP captured the payment",
        data: { ledgerUpdated: true, walletUpdated: true, failureReason: null },
      },
    );
    await postTransactions(
      tx,
      orders.map((order) => ({
        kind: "payin",
        reference: order.id,
        currency: order.currency,
        description: `Pay-in for checkout ${order.checkoutId}`,
        entries: [
          { account: "psp_clearing", direction: "DEBIT" as const, amount: order.amount },
          {
            account: `seller_pending:${order.sellerId}`,
            direction: "CREDIT" as const,
            amount: order.amount - order.commission,
          },
          ...(order.commission > 0n
            ? [{ account: "commission_revenue", direction: "CREDIT" as const, amount: order.commission }]
            : []),
        ].filter((entry) => entry.amount > 0n),
      })),
    );
    crashPoint("payin.success-before-commit");
    return movedIds;
  });
  if (ensured.length > 0) {
    const known = knownSellerAccounts.get(db) ?? new Set<string>();
    for (const key of ensured) known.add(key);
    knownSellerAccounts.set(db, known);
  }
  return moved;
}

/** Marks a checkout FAILED with the PSP's reason; never overrides a success. Nothing is posted. */
export async function recordPaymentFailed(
  db: Db,
  checkoutId: string,
  failure: { code: string | null; message: string; actor: string },
): Promise<boolean> {
  return db.$transaction(async (tx) => {
    // As above: the update locks the row and checks its status in one round trip.
    const updated = await tx.$executeRawUnsafe(
      `UPDATE payment_event
          SET status = 'FAILED', failure_code = $2, failure_message = $3, updated_at = now()
        WHERE id = $1::uuid AND status = 'EXECUTING'`,
      checkoutId,
      failure.code,
      failure.message,
    );
    if (updated === 0) {
      await assertExists(tx, checkoutId);
      return false;
    }
    await transitionOrders(tx, checkoutId, "FAILED", {
      actor: failure.actor,
      reason: failure.message,
      data: { failureReason: failure.message },
    });
    return true;
  });
}

/** A declined attempt on a session that stays open: the buyer may still pay with another card. */
export async function recordDeclinedAttempt(
  db: DbOrTx,
  checkoutId: string,
  decline: { code: string | null; message: string },
): Promise<void> {
  const data: Prisma.PaymentEventUpdateManyMutationInput = {
    failureCode: decline.code,
    failureMessage: decline.message,
    updatedAt: new Date(),
  };
  await db.paymentEvent.updateMany({ where: { id: checkoutId, status: "EXECUTING" }, data });
}
