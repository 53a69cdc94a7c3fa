// Mismatches where the PSP is the source of truth are fixed now, the way the money path itself
// would have: ask the PSP and apply its answer (posting what that requires), then audit it.
import { audit } from "@/server/audit/audit";
import type { Db } from "@/server/db";
import { postTransactions } from "@/server/ledger/post-transaction";
import { applyRefundStatus } from "@/server/payin/refunds";
import { syncPaymentStatus } from "@/server/payin/sync-status";
import { applyTransferState } from "@/server/payout/transfers";
import type { PspPort } from "@/server/psp/port";
import { FEE_CLAIM_KIND, type Period } from "./match";

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
  fixed += await bookFeeClaims(db, runId);
  return fixed;
}

const FEE_CLAIM_BATCH = 500;
const CLAIMS_CURRENCY = "usd";

/**
 * The PSP took more than its contracted fee: move the excess out of psp_fee_expense into
 * psp_fee_claims (money the PSP owes back), once per balance transaction (kind
 * `settlement.fee_claim`, reference = its id), audited. The next run finds the claim and is clean.
 */
export async function bookFeeClaims(db: Db, runId: string): Promise<number> {
  let fixed = 0;
  let cursor = 0n;
  for (;;) {
    const items = await db.reconItem.findMany({
      where: { runId, area: "fee", classification: "UNCLASSIFIED", id: { gt: cursor } },
      orderBy: { id: "asc" },
      take: FEE_CLAIM_BATCH,
    });
    if (items.length === 0) return fixed;
    cursor = items.at(-1)!.id;
    const claims = items.filter(
      (item) =>
        item.ourReference &&
        item.actualAmount !== null &&
        item.expectedAmount !== null &&
        item.actualAmount > item.expectedAmount,
    );
    fixed += await db.$transaction(async (tx) => {
      const records = await tx.settlementRecord.findMany({
        where: { pspBalanceTransactionId: { in: claims.map((item) => item.ourReference!) } },
        select: { pspBalanceTransactionId: true, currency: true },
      });
      const currencyOf = new Map(
        records.map((record) => [record.pspBalanceTransactionId, record.currency.trim()]),
      );
      // The claims account exists in the deployment currency; others stay for finance.
      const booked = claims.filter((item) => currencyOf.get(item.ourReference!) === CLAIMS_CURRENCY);
      await postTransactions(
        tx,
        booked.map((item) => {
          const excess = item.actualAmount! - item.expectedAmount!;
          return {
            kind: FEE_CLAIM_KIND,
            reference: item.ourReference!,
            currency: CLAIMS_CURRENCY,
            description: `Fee above contract on ${item.pspReference ?? item.ourReference}: claim from the PSP`,
            entries: [
              { account: "psp_fee_claims", direction: "DEBIT" as const, amount: excess },
              { account: "psp_fee_expense", direction: "CREDIT" as const, amount: excess },
            ],
          };
        }),
      );
      const note = "Booked the fee above contract as a claim on the PSP (psp_fee_claims)";
      await tx.reconItem.updateMany({
        where: { id: { in: booked.map((item) => item.id) } },
        data: { classification: "AUTO_FIXED", resolution: "RESOLVED", resolvedAt: new Date(), note },
      });
      for (const item of booked) {
        await audit(tx, {
          actorId: null,
          actorLabel: "reconciliation",
          action: "recon.auto-fix",
          entity: "recon_item",
          entityId: String(item.id),
          before: { outcome: item.outcome, fee: item.actualAmount, contracted: item.expectedAmount },
          after: { note, claim: item.actualAmount! - item.expectedAmount! },
        });
      }
      return booked.length;
    });
  }
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
