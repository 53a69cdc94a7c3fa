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
