// Finance's decision on a checkout the risk check parked for review.
import { audit } from "@/server/audit/audit";
import type { Db } from "@/server/db";
import { NotFoundError } from "@/server/errors";
import { CheckoutNotRetryableError } from "./errors";
import { startPspSession } from "./start-psp-session";
import { transitionOrders } from "./state-machine";

export async function reviewCheckout(
  db: Db,
  reviewer: { id: string; email: string },
  input: { checkoutId: string; decision: "APPROVE" | "REJECT"; note: string },
): Promise<void> {
  const approve = input.decision === "APPROVE";
  await db.$transaction(async (tx) => {
    await tx.$queryRaw`SELECT id FROM payment_event WHERE id = ${input.checkoutId}::uuid FOR UPDATE`;
    const event = await tx.paymentEvent.findUnique({ where: { id: input.checkoutId } });
    if (!event) throw new NotFoundError("Checkout");
    if (event.status !== "IN_REVIEW") throw new CheckoutNotRetryableError(event.status);
    const reason = `${approve ? "approved" : "rejected"} in review: ${input.note}`;
    await transitionOrders(tx, event.id, approve ? "EXECUTING" : "FAILED", {
      actor: `finance:${reviewer.id}`,
      reason,
      data: approve ? {} : { failureReason: reason },
    });
    await tx.paymentEvent.update({
      where: { id: event.id },
      data: {
        status: approve ? "EXECUTING" : "REJECTED",
        reviewedBy: reviewer.id,
        reviewedAt: new Date(),
        reviewNote: input.note,
        failureMessage: approve ? null : "This payment was declined after review.",
        updatedAt: new Date(),
      },
    });
    await audit(tx, {
      actorId: reviewer.id,
      actorLabel: reviewer.email,
      action: approve ? "risk.approve" : "risk.reject",
      entity: "payment_event",
      entityId: event.id,
      before: { status: event.status },
      after: { status: approve ? "EXECUTING" : "REJECTED", note: input.note },
    });
  });
  if (approve) await startPspSession(db, input.checkoutId).catch(() => {});
}
