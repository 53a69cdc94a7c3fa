// The safety net under webhooks: checkouts EXECUTING for a while and refunds still PENDING are
// checked against the PSP. A lost webhook therefore delays an outcome by at most a minute or so.
import type { Db } from "@/server/db";
import { log } from "@/server/log";
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
  const attempt = (kind: string, id: string, run: () => Promise<unknown>) =>
    run().then(
      () => true,
      (error: unknown) => {
        // The next sweep tries again; the log says what keeps it from finishing.
        log().warn({ err: error, [kind]: id }, `recovery could not finish a ${kind}`);
        return false;
      },
    );
  const outcomes = await Promise.all([
    ...checkouts.map((checkout) =>
      attempt("checkout", checkout.id, () => syncPaymentStatus(db, checkout.id, "recovery")),
    ),
    ...refunds.map((refund) => attempt("refund", refund.id, () => executeRefund(db, refund.id))),
  ]);
  return { checked: outcomes.length, failed: outcomes.filter((ok) => !ok).length };
}
