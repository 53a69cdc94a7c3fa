// The safety net under webhooks: checkouts EXECUTING for a while and refunds still PENDING are
// checked against the PSP. A lost webhook therefore delays an outcome by at most a minute or so.
import type { Db } from "@/server/db";
import { executeRefund } from "./refunds";
import { syncPaymentStatus } from "./sync-status";

export async function recoverStalePayments(
  db: Db,
  olderThanMs = Number(process.env.PAYIN_RECOVER_AFTER_MS ?? 30_000),
) {
  const before = new Date(Date.now() - olderThanMs);
  const checkouts = await db.paymentEvent.findMany({
    where: { status: "EXECUTING", updatedAt: { lte: before } },
    select: { id: true },
    orderBy: { updatedAt: "asc" },
    take: 200,
  });
  const refunds = await db.refund.findMany({
    where: { status: "PENDING", updatedAt: { lte: before } },
    select: { id: true },
    orderBy: { updatedAt: "asc" },
    take: 200,
  });
  const outcomes = await Promise.allSettled([
    ...checkouts.map((checkout) => syncPaymentStatus(db, checkout.id, "recovery")),
    ...refunds.map((refund) => executeRefund(db, refund.id)),
  ]);
  return {
    checked: outcomes.length,
    failed: outcomes.filter((outcome) => outcome.status === "rejected").length,
  };
}
