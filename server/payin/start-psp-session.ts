// Step 3: the PSP checkout session. The idempotency key is derived from the checkout id and
// attempt, so repeating the call after a timeout or a crash returns the same session instead of a
// second one. A new checkout's session is opened by the checkout call before the checkout is
// stored, and stored with it (store-checkouts.ts); any other — a retry's, an approved review's, one
// whose first call failed — is opened here after the checkout committed, outside any database
// transaction, and then recorded.
import { type Db, hotQuery, inIdOrder, preparedStatement } from "@/server/db";
import { allWritten, groupCommitPerDb } from "@/server/db/group-commit";
import { env } from "@/server/env";
import { getPsp } from "@/server/psp/instance";
import { crashPoint } from "@/server/runtime/crash-points";

export function pspReference(checkoutId: string, attempt: number): string {
  return attempt === 1 ? checkoutId : `${checkoutId}:${attempt}`;
}

/** What opening a session needs to know of a checkout. */
export interface SessionCheckout {
  id: string;
  attempt: number;
  currency: string;
  orders: { id: string; items: unknown }[];
}

const RECORD_SESSIONS = preparedStatement(
  "payin_record_sessions",
  `UPDATE payment_event e SET psp_session_id = s.session_id, psp_session_url = s.url, updated_at = now()
     FROM unnest($1::uuid[], $2::int[], $3::text[], $4::text[]) AS s(id, attempt, session_id, url)
    WHERE e.id = s.id AND e.attempt = s.attempt AND e.status = 'EXECUTING' AND e.psp_session_id IS NULL`,
);

/**
 * Records the session of the attempt that started it (a retry may have moved on meanwhile).
 * Sessions opened at the same moment are recorded in one statement (group commit).
 */
const recordSession = groupCommitPerDb(
  async (db: Db, sessions: { checkoutId: string; attempt: number; sessionId: string; url: string }[]) => {
    await hotQuery(
      db,
      RECORD_SESSIONS,
      sessions.map((session) => session.checkoutId),
      sessions.map((session) => session.attempt),
      sessions.map((session) => session.sessionId),
      sessions.map((session) => session.url),
    );
    return allWritten(sessions);
  },
  64,
);

/** Returns the hosted payment page URL, creating the session at the PSP if needed. */
export async function startPspSession(db: Db, checkoutId: string): Promise<string | null> {
  const event = await db.paymentEvent.findUniqueOrThrow({
    where: { id: checkoutId },
    include: { orders: { orderBy: { id: "asc" } } },
  });
  if (event.status !== "EXECUTING") return null;
  if (event.pspSessionUrl) return event.pspSessionUrl;
  const session = await createPspSession(event);
  crashPoint("payin.session-created-before-record");
  await recordSession(db, {
    checkoutId: event.id,
    attempt: event.attempt,
    sessionId: session.sessionId,
    url: session.url,
  });
  return session.url;
}

/** A session opened at the PSP: its id and the hosted page the buyer pays on. */
export interface OpenedSession {
  sessionId: string;
  url: string;
}

/**
 * Opens (or, for a repeated key, finds) the PSP session of a checkout's attempt, without
 * recording it. The parameters must be the ones a later `startPspSession` would send, or the PSP
 * refuses the replayed key: orders by id, as the database orders UUIDs (lowercase hex strings sort
 * the same way), items as stored.
 */
export async function createPspSession(event: SessionCheckout): Promise<OpenedSession> {
  const appUrl = env().APP_URL;
  const lineItems = inIdOrder(event.orders).flatMap((order) =>
    (order.items as { name: string; unitPrice: string; quantity: number }[]).map((item) => ({
      name: item.name,
      amount: BigInt(item.unitPrice),
      quantity: item.quantity,
    })),
  );
  return getPsp().createCheckoutSession({
    paymentEventId: pspReference(event.id, event.attempt),
    lineItems,
    currency: event.currency,
    successUrl: `${appUrl}/checkout/${event.id}?session_id={CHECKOUT_SESSION_ID}`,
    cancelUrl: `${appUrl}/checkout/${event.id}?canceled=1`,
    metadata: { payment_event_id: event.id, attempt: String(event.attempt) },
  });
}
