// Step-up for money-moving admin actions: the caller re-enters the password.

import { verifyPassword } from "@/server/auth/password";
import type { DbOrTx } from "@/server/db";
import { DomainError } from "@/server/errors";

export class StepUpRequiredError extends DomainError {
  constructor(message = "Re-enter your password to confirm this action") {
    super(message, "FORBIDDEN");
  }
}

export async function requireStepUp(db: DbOrTx, userId: string, password: string | undefined): Promise<void> {
  if (!password) throw new StepUpRequiredError();
  const user = await db.user.findUniqueOrThrow({ where: { id: userId }, select: { passwordHash: true } });
  if (!(await verifyPassword(user.passwordHash, password))) {
    throw new StepUpRequiredError("The password is wrong; the action was not performed");
  }
}

/** Refunds above this amount (minor units) need a step-up. */
export function refundStepUpAmount(): bigint {
  return BigInt(process.env.REFUND_STEP_UP_AMOUNT ?? 50_000); // $500.00
}
