// Step 5: apply the PSP's verdict. Each function locks the checkout row, so webhooks, the return
// page and recovery jobs racing on one checkout apply it once; repeating a verdict is a no-op.
import type { Prisma } from "@/generated/prisma/client";
import type { Db, DbOrTx } from "@/server/db";
import { NotFoundError } from "@/server/errors";
import { UnknownAccountError } from "@/server/ledger/errors";
import { ensureSellerAccounts, postTransactions } from "@/server/ledger/post-transaction";
import { crashPoint } from "@/server/runtime/crash-points";
import { transitionOrders } from "./state-machine";

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

async function ensureAccountsOnce(db: Db, tx: DbOrTx, orders: OrderRow[]): Promise<string[]> {
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
}

/** Throws NotFoundError unless the checkout exists (after a no-op, to tell "done" from "absent"). */
async function assertExists(db: DbOrTx, checkoutId: string) {
  const rows = await db.$queryRawUnsafe<unknown[]>(
    `SELECT 1 FROM payment_event WHERE id = $1::uuid`,
    checkoutId,
  );
  if (rows.length === 0) throw new NotFoundError("Checkout");
}

/**
 * Marks a paid checkout SUCCEEDED and posts one ledger transaction per order in the same
 * database transaction. Invariant: every PSP success is posted exactly once.
 *
 * Round trips: the checkout's update (which takes its row lock and says whether it was already
 * SUCCEEDED) returning its orders; the orders' transitions; the postings (`postTransactions`).
 * The postings come last because they lock the sellers' wallet rows, which concurrent checkouts
 * of the same sellers wait for: held from there to the commit only.
 */
export async function recordPaymentSucceeded(
  db: Db,
  checkoutId: string,
  details: SuccessDetails,
): Promise<boolean> {
  try {
    return await succeed(db, checkoutId, details);
  } catch (error) {
    if (!isMissingAccount(error) || !knownSellerAccounts.has(db)) throw error;
    knownSellerAccounts.delete(db); // rolled back; ask for the accounts again
    return succeed(db, checkoutId, details);
  }
}

async function succeed(db: Db, checkoutId: string, details: SuccessDetails): Promise<boolean> {
  let ensured: string[] = [];
  const posted = await db.$transaction(async (tx) => {
    // Row lock and status check in one: an UPDATE waits for a concurrent writer and then
    // re-reads the row. The orders' fields used below never change after the checkout is created.
    const orders = await tx.$queryRawUnsafe<OrderRow[]>(
      `WITH event AS (
         UPDATE payment_event
            SET status = 'SUCCEEDED', is_payment_done = true,
                psp_payment_intent_id = coalesce($2, psp_payment_intent_id),
                psp_charge_id = coalesce($3, psp_charge_id),
                failure_code = NULL, failure_message = NULL, updated_at = now()
          WHERE id = $1::uuid AND status <> 'SUCCEEDED'
         RETURNING id
       )
       SELECT o.id::text, o.seller_id::text AS "sellerId", o.amount, o.commission, trim(o.currency) AS currency
         FROM event JOIN payment_order o ON o.payment_event_id = event.id
        ORDER BY o.id`,
      checkoutId,
      details.paymentIntentId,
      details.chargeId,
    );
    if (orders.length === 0) {
      await assertExists(tx, checkoutId);
      return false;
    }
    ensured = await ensureAccountsOnce(db, tx, orders);
    // Refuses (and so rolls back everything) unless every order may move to SUCCESS.
    await transitionOrders(tx, checkoutId, "SUCCESS", {
      actor: details.actor,
      reason: "the PSP captured the payment",
      data: { ledgerUpdated: true, walletUpdated: true, failureReason: null },
    });
    await postTransactions(
      tx,
      orders.map((order) => ({
        kind: "payin",
        reference: order.id,
        currency: order.currency,
        description: `Pay-in for checkout ${checkoutId}`,
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
    return true;
  });
  if (ensured.length > 0) {
    const known = knownSellerAccounts.get(db) ?? new Set<string>();
    for (const key of ensured) known.add(key);
    knownSellerAccounts.set(db, known);
  }
  return posted;
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
