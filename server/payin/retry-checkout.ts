import type { Db } from "@/server/db";
import { NotFoundError } from "@/server/errors";
import { CheckoutNotRetryableError } from "./errors";
import { startPspSession } from "./start-psp-session";
import { transitionOrders } from "./state-machine";

/** Starts a new PSP attempt for a failed checkout (a new session under a new idempotency key). */
export async function retryCheckout(db: Db, buyerId: string, checkoutId: string): Promise<void> {
  await db.$transaction(async (tx) => {
    await tx.$queryRaw`SELECT id FROM payment_event WHERE id = ${checkoutId}::uuid FOR UPDATE`;
    const event = await tx.paymentEvent.findFirst({ where: { id: checkoutId, buyerId } });
    if (!event) throw new NotFoundError("Checkout");
    if (event.status !== "FAILED" || event.riskDecision === "BLOCK")
      throw new CheckoutNotRetryableError(event.status);
    await transitionOrders(tx, checkoutId, "EXECUTING", {
      actor: `buyer:${buyerId}`,
      reason: "buyer retried",
    });
    await tx.paymentEvent.update({
      where: { id: checkoutId },
      data: {
        status: "EXECUTING",
        attempt: { increment: 1 },
        pspSessionId: null,
        pspSessionUrl: null,
        failureCode: null,
        failureMessage: null,
        updatedAt: new Date(),
      },
    });
  });
  await startPspSession(db, checkoutId).catch(() => {});
}
