import { DomainError } from "@/server/errors";

export class LedgerConflictError extends DomainError {
  constructor(kind: string, reference: string) {
    super(`Ledger transaction ${kind}/${reference} was already posted with different entries`, "CONFLICT");
  }
}

export class UnknownAccountError extends DomainError {
  constructor(codes: string[]) {
    super(`Unknown ledger account: ${codes.join(", ")}`, "BAD_REQUEST");
  }
}

export class UnbalancedTransactionError extends DomainError {
  constructor(reason: string) {
    super(`Invalid ledger transaction: ${reason}`, "BAD_REQUEST");
  }
}

export class InsufficientFundsError extends DomainError {
  constructor() {
    super("The seller's balance is too low for this", "PRECONDITION_FAILED");
  }
}
