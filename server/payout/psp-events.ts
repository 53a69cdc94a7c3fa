// PSP webhook events about transfers and payouts, called by pay-in's webhook processor for event
// types starting with `transfer.` or `payout.`. Each handler re-reads our state and is idempotent.
import type Stripe from "stripe";
import type { Db } from "@/server/db";
import { applyTransferState, confirmPayout, failPayout } from "./transfers";

function payoutIdOf(object: { metadata?: Stripe.Metadata | null }): string | null {
  const id = object.metadata?.payout_id;
  return id && /^[0-9a-f-]{36}$/i.test(id) ? id : null;
}

/**
 * transfer.created / transfer.updated: the transfer exists → PAID (if still PROCESSING).
 * transfer.reversed (fully): the money came back → FAILED, returned to the wallet once.
 * payout.failed with our payout id in metadata: FAILED with the bank's reason.
 * payout.paid: informational (a transfer already counts as paid; see docs/payouts.md).
 */
export async function handlePayoutPspEvent(db: Db, event: Stripe.Event): Promise<void> {
  if (event.type.startsWith("transfer.")) {
    const transfer = event.data.object as Stripe.Transfer;
    const payout =
      (await db.payout.findUnique({ where: { pspTransferId: transfer.id } })) ??
      (payoutIdOf(transfer) ? await db.payout.findUnique({ where: { id: payoutIdOf(transfer)! } }) : null);
    if (!payout) return;
    // Only a full reversal fails the payout; a partial one is left to finance (docs/payouts.md).
    const reversed = transfer.reversed === true;
    if (reversed) {
      await failPayout(
        db,
        payout.id,
        "The transfer was reversed by the PSP",
        `psp:${event.type}`,
        transfer.id,
      );
    } else if (payout.status === "PROCESSING") {
      await applyTransferState(
        db,
        payout.id,
        { transferId: transfer.id, reversed: false },
        `psp:${event.type}`,
      );
    }
    return;
  }
  if (event.type === "payout.failed") {
    const pspPayout = event.data.object as Stripe.Payout;
    const payoutId = payoutIdOf(pspPayout);
    if (!payoutId) return;
    const reason = `${pspPayout.failure_code ?? "payout_failed"}: ${pspPayout.failure_message ?? "The bank refused the payout"}`;
    await failPayout(db, payoutId, reason, `psp:${event.type}`);
    return;
  }
  if (event.type === "payout.paid") {
    const payoutId = payoutIdOf(event.data.object as Stripe.Payout);
    if (payoutId) await confirmPayout(db, payoutId).catch(() => undefined);
  }
}
