// Mismatches where the PSP is the source of truth are fixed now, the way the money path itself
// would have: ask the PSP and apply its answer (posting what that requires), then audit it.
import { audit } from "@/server/audit/audit";
import type { Db } from "@/server/db";
import { applyRefundStatus } from "@/server/payin/refunds";
import { syncPaymentStatus } from "@/server/payin/sync-status";
import { applyTransferState } from "@/server/payout/transfers";
import type { PspPort } from "@/server/psp/port";
import type { Period } from "./match";

const MAX_LOOKUPS = 500;

async function markFixed(db: Db, itemId: bigint, note: string) {
  await db.$transaction(async (tx) => {
    const item = await tx.reconItem.update({
      where: { id: itemId },
      data: { classification: "AUTO_FIXED", resolution: "RESOLVED", resolvedAt: new Date(), note },
    });
    await audit(tx, {
      actorId: null,
      actorLabel: "reconciliation",
      action: "recon.auto-fix",
      entity: "recon_item",
      entityId: String(item.id),
      before: { outcome: item.outcome },
      after: { note },
    });
  });
}

export async function autoFix(db: Db, psp: PspPort, runId: string, period: Period): Promise<number> {
  let fixed = 0;
  const candidates = await db.reconItem.findMany({
    where: {
      runId,
      classification: "UNCLASSIFIED",
      area: { in: ["charge", "refund", "transfer"] },
      outcome: { in: ["MISSING_IN_LEDGER", "STATUS_MISMATCH"] },
    },
    take: MAX_LOOKUPS,
  });
  for (const item of candidates) {
    try {
      if (item.area === "charge" && item.pspReference) {
        const charge = await psp.retrieveCharge(item.pspReference);
        const checkoutId = charge.metadata.payment_event_id;
        if (!checkoutId || !(await db.paymentEvent.findUnique({ where: { id: checkoutId } }))) continue;
        await syncPaymentStatus(db, checkoutId, "reconciliation");
        if (await isPaidWith(db, checkoutId, item.pspReference)) {
          await markFixed(db, item.id, "Applied the PSP's successful charge to the checkout");
          fixed++;
        }
      } else if (item.area === "refund" && item.ourReference) {
        const refund = await db.refund.findUnique({ where: { id: item.ourReference } });
        if (!refund?.pspRefundId) continue;
        await applyRefundStatus(db, refund.id, await psp.retrieveRefund(refund.pspRefundId));
        await markFixed(db, item.id, "Applied the PSP's refund state");
        fixed++;
      } else if (item.area === "transfer" && item.ourReference && item.pspReference) {
        const transfer = await psp.retrieveTransfer(item.pspReference);
        await applyTransferState(
          db,
          item.ourReference,
          { transferId: transfer.transferId, reversed: transfer.reversed && transfer.amountReversed > 0 },
          "reconciliation",
        );
        await markFixed(db, item.id, "Applied the PSP's transfer state to the payout");
        fixed++;
      }
    } catch {
      // Left for finance: the item stays UNCLASSIFIED with its suggested fix.
    }
  }
  fixed += await fixReversedTransfers(db, psp, runId, period);
  return fixed;
}

/** Paid here, and with this very charge (a different charge id is a mismatch for finance). */
async function isPaidWith(db: Db, checkoutId: string, chargeId: string) {
  const event = await db.paymentEvent.findUniqueOrThrow({ where: { id: checkoutId } });
  return event.status === "SUCCEEDED" && event.pspChargeId === chargeId;
}

/** A payout PAID here whose transfer the PSP has since reversed: fail it, money back to the wallet. */
async function fixReversedTransfers(db: Db, psp: PspPort, runId: string, period: Period): Promise<number> {
  let fixed = 0;
  for await (const transfer of psp.listTransfers({ from: period.start, to: period.end })) {
    if (!transfer.reversed) continue;
    const payout = await db.payout.findUnique({ where: { pspTransferId: transfer.id } });
    if (payout?.status !== "PAID") continue;
    const item = await db.reconItem.create({
      data: {
        runId,
        area: "transfer",
        outcome: "STATUS_MISMATCH",
        classification: "UNCLASSIFIED",
        pspReference: transfer.id,
        ourReference: payout.id,
        expectedAmount: payout.amount,
        actualAmount: BigInt(transfer.amount - transfer.amount_reversed),
        detail: "The PSP reversed this payout's transfer but Payrail shows it PAID",
        suggestedFix: "Fail the payout and return the money to the seller's wallet",
      },
    });
    await applyTransferState(db, payout.id, { transferId: transfer.id, reversed: true }, "reconciliation");
    await markFixed(db, item.id, "Failed the payout; the money is back in the seller's wallet");
    fixed++;
  }
  return fixed;
}
