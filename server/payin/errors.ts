import { DomainError } from "@/server/errors";

export class ProductUnavailableError extends DomainError {
  constructor() {
    super("Some products in the cart are no longer available", "BAD_REQUEST");
  }
}

export class RefundTooLargeError extends DomainError {
  constructor(refundable: bigint) {
    super(`At most ${refundable} (minor units) can still be refunded on this order`, "BAD_REQUEST");
  }
}

export class NotRefundableError extends DomainError {
  constructor(status: string) {
    super(`Only paid orders can be refunded; this one is ${status}`, "PRECONDITION_FAILED");
  }
}

export class CheckoutNotRetryableError extends DomainError {
  constructor(status: string) {
    super(`Only a failed payment can be retried; this one is ${status}`, "PRECONDITION_FAILED");
  }
}

export class NotShippableError extends DomainError {
  constructor(status: string) {
    super(`Only a paid order can be shipped; this one is ${status}`, "PRECONDITION_FAILED");
  }
}
