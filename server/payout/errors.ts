import { DomainError } from "@/server/errors";

export class NoPayoutAccountError extends DomainError {
  constructor() {
    super("Connect a payout account first: sellers without one are not paid", "PRECONDITION_FAILED");
  }
}

export class PayoutNotRetryableError extends DomainError {
  constructor(reason: string) {
    super(`This payout cannot be retried: ${reason}`, "CONFLICT");
  }
}

export class RunNotApprovableError extends DomainError {
  constructor(status: string) {
    super(`Only a run awaiting approval can be approved; this one is ${status}`, "CONFLICT");
  }
}

/** The PSP did not answer or refused a request we cannot finish now; nothing was stored. */
export class PspUnavailableError extends DomainError {
  constructor(cause: unknown) {
    super(
      `The payment provider could not complete this now; try again later (${(cause as Error)?.message ?? cause})`,
      "BAD_GATEWAY",
    );
  }
}
