// Asks the PSP for the truth about a checkout and applies it. Used by the buyer's return page, the
// recovery sweep and the webhook processor for session events (a success it takes from the
// signed event itself), so a lost or reordered webhook changes nothing.
import type { Db } from "@/server/db";
import { groupCommitPerDb, type Settled } from "@/server/db/group-commit";
import { NotFoundError } from "@/server/errors";
import { declineMessage } from "@/server/psp/decline-messages";
import { getPsp } from "@/server/psp/instance";
import { recordDeclinedAttempt, recordPaymentFailed, recordPaymentSucceeded } from "./record-outcome";
import { startPspSession } from "./start-psp-session";

export type SyncResult = "succeeded" | "failed" | "open" | "not-executing";

interface CheckoutState {
  id: string;
  status: string;
  pspSessionId: string | null;
}

/**
 * A checkout's status and PSP session. Reads asked for at the same moment (one per webhook under
 * load) share one statement, as the writes of group commit do.
 */
const readCheckoutState = groupCommitPerDb(
  async (db: Db, ids: string[]): Promise<Settled<CheckoutState>[]> => {
    const rows = await db.$queryRawUnsafe<CheckoutState[]>(
      `SELECT id::text, status::text, psp_session_id AS "pspSessionId"
         FROM payment_event WHERE id = ANY ($1::uuid[])`,
      ids,
    );
    const byId = new Map(rows.map((row) => [row.id, row]));
    return ids.map((id) => {
      const row = byId.get(id);
      return row ? { ok: true, value: row } : { ok: false, error: new NotFoundError(`checkout ${id}`) };
    });
  },
  100,
);

export async function syncPaymentStatus(db: Db, checkoutId: string, actor: string): Promise<SyncResult> {
  const event = await readCheckoutState(db, checkoutId);
  if (event.status !== "EXECUTING") return "not-executing";
  if (!event.pspSessionId) {
    // The session call never completed (timeout, crash): repeat it with the same idempotency key.
    await startPspSession(db, checkoutId);
    return "open";
  }
  const status = await getPsp().retrieveCheckoutStatus(event.pspSessionId);
  if (status.status === "complete" && status.paymentStatus === "paid") {
    await recordPaymentSucceeded(db, checkoutId, {
      paymentIntentId: status.paymentIntentId ?? null,
      chargeId: status.chargeId ?? null,
      actor,
    });
    return "succeeded";
  }
  if (status.status === "expired") {
    const code = status.failureCode ?? "expired";
    const message = status.failureCode
      ? declineMessage(status.failureCode)
      : "The payment was not completed in time.";
    await recordPaymentFailed(db, checkoutId, { code, message, actor });
    return "failed";
  }
  if (status.failureCode) {
    await recordDeclinedAttempt(db, checkoutId, {
      code: status.failureCode,
      message: declineMessage(status.failureCode),
    });
  }
  return "open";
}
