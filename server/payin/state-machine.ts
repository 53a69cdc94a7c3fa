// The payment order state machine: one table of allowed moves and one function that makes
// them, recording who and why. Nothing else writes payment_order.status.
import type { PaymentOrderStatus } from "@/generated/prisma/enums";
import { preparedStatement, type RawSql } from "@/server/db";
import { InvalidTransitionError } from "@/server/errors";

const allowed: Record<PaymentOrderStatus, readonly PaymentOrderStatus[]> = {
  NOT_STARTED: ["EXECUTING", "FAILED"],
  EXECUTING: ["SUCCESS", "FAILED"],
  // A failed checkout may be paid later: the buyer retries, or the PSP reports a success that
  // arrived after an expiry we acted on. The PSP's word on money wins.
  FAILED: ["EXECUTING", "SUCCESS"],
  SUCCESS: [],
};

export function canTransition(from: PaymentOrderStatus, to: PaymentOrderStatus): boolean {
  return allowed[from].includes(to);
}

export interface TransitionOptions {
  actor: string;
  reason: string;
  /** Extra columns set with the move (ledger flags, failure reason). */
  data?: { ledgerUpdated?: boolean; walletUpdated?: boolean; failureReason?: string | null };
}

/** The states an order may leave for `to`, as a PostgreSQL array literal (enum names need no quoting). */
function allowedFromLiteral(to: PaymentOrderStatus): string {
  const from = (Object.keys(allowed) as PaymentOrderStatus[]).filter((status) => canTransition(status, to));
  return `{${from.join(",")}}`;
}

/**
 * Moves every order of a payment event that is in `from` to `to`, in the caller's transaction.
 * Orders already in `to` are left alone (idempotent); any other state is an error.
 * Atomic on its own too, when called outside a transaction.
 */
export async function transitionOrders(
  tx: RawSql,
  paymentEventId: string,
  to: PaymentOrderStatus,
  options: TransitionOptions,
): Promise<number> {
  return transitionOrdersOfEvents(tx, [{ paymentEventId, actor: options.actor }], to, options);
}

const TRANSITION_ORDERS = preparedStatement(
  "payin_transition_orders",
  `WITH wanted AS (
     SELECT * FROM unnest($1::uuid[], $8::text[]) AS w(payment_event_id, actor)
   ), current AS (
     SELECT o.id, o.status, w.actor FROM payment_order o JOIN wanted w USING (payment_event_id)
      WHERE o.status <> $2::"PaymentOrderStatus"
      ORDER BY o.id
        FOR UPDATE OF o
   ), refused AS (
     SELECT status FROM current WHERE status <> ALL ($3::"PaymentOrderStatus"[]) LIMIT 1
   ), moved AS (
     UPDATE payment_order o
        SET status = $2::"PaymentOrderStatus",
            updated_at = now(),
            ledger_updated = coalesce($4::boolean, o.ledger_updated),
            wallet_updated = coalesce($5::boolean, o.wallet_updated),
            failure_reason = CASE WHEN $6::boolean THEN $7::text ELSE o.failure_reason END
       FROM current c
      WHERE o.id = c.id AND NOT EXISTS (SELECT 1 FROM refused)
     RETURNING o.id, c.status AS from_status, c.actor
   ), logged AS (
     INSERT INTO payment_order_transition (payment_order_id, from_status, to_status, actor, reason)
     SELECT id, from_status, $2::"PaymentOrderStatus", actor, $9 FROM moved ORDER BY id
   )
   SELECT (SELECT status FROM refused)::text AS refused, (SELECT count(*) FROM moved)::int AS moved`,
);

/**
 * `transitionOrders` for several payment events at once, each move logged with its own event's
 * actor (a group-committed batch). One statement: lock the orders that must move (their latest
 * versions, in id order), refuse the whole move if one of them may not, update them and log
 * each move with its `from` state.
 */
export async function transitionOrdersOfEvents(
  tx: RawSql,
  events: { paymentEventId: string; actor: string }[],
  to: PaymentOrderStatus,
  options: Omit<TransitionOptions, "actor">,
): Promise<number> {
  const data = options.data ?? {};
  const rows = await tx.$queryRawUnsafe<{ refused: PaymentOrderStatus | null; moved: number }[]>(
    TRANSITION_ORDERS,
    events.map((event) => event.paymentEventId),
    to,
    allowedFromLiteral(to),
    data.ledgerUpdated ?? null,
    data.walletUpdated ?? null,
    data.failureReason !== undefined,
    data.failureReason ?? null,
    events.map((event) => event.actor),
    options.reason,
  );
  const { refused, moved } = rows[0]!;
  if (refused) throw new InvalidTransitionError("payment order", refused, to);
  return moved;
}

/**
 * The moves a new order makes from its birth to `to` within the transaction that creates it
 * (checked against the table): it is stored once in its final state, with every move logged.
 */
export function movesFromBirth(
  to: PaymentOrderStatus,
): { from: PaymentOrderStatus | null; to: PaymentOrderStatus }[] {
  if (to === "NOT_STARTED") return [{ from: null, to }];
  if (!canTransition("NOT_STARTED", to)) throw new InvalidTransitionError("payment order", "NOT_STARTED", to);
  return [
    { from: null, to: "NOT_STARTED" },
    { from: "NOT_STARTED", to },
  ];
}
