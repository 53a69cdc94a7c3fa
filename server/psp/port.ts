// The PSP port: everything Payrail asks of its payment service provider, in Payrail's terms
// (bigint minor units, our ids as idempotency keys). The Stripe adapter implements it.
import type Stripe from "stripe";

export interface CheckoutLineItem {
  name: string;
  /** Unit price, minor units. */
  amount: bigint;
  quantity: number;
}

export interface CheckoutStatus {
  /** `open`, `complete` or `expired`. */
  status: string;
  /** `paid`, `unpaid` or `no_payment_required`. */
  paymentStatus: string;
  paymentIntentId?: string;
  chargeId?: string;
  /** The last decline on an open session, or why it ended. */
  failureCode?: string;
  failureMessage?: string;
}

export interface PspRefund {
  pspRefundId: string;
  status: string;
  failureReason?: string | null;
}

export interface PspPort {
  /** Idempotency key `checkout:<paymentEventId>`; parameters are deterministic so a retry replays. */
  createCheckoutSession(input: {
    paymentEventId: string;
    lineItems: CheckoutLineItem[];
    currency: string;
    successUrl: string;
    cancelUrl: string;
    metadata: Record<string, string>;
  }): Promise<{ sessionId: string; url: string }>;
  retrieveCheckoutStatus(sessionId: string): Promise<CheckoutStatus>;
  /** Idempotency key `refund:<refundId>`; `metadata.refund_id` ties the PSP refund to ours. */
  createRefund(input: { refundId: string; paymentIntentId: string; amount: bigint }): Promise<PspRefund>;
  retrieveRefund(pspRefundId: string): Promise<PspRefund>;
  /** Idempotency key `account:<sellerId>`. */
  createConnectedAccount(input: { sellerId: string; email: string }): Promise<{ accountId: string }>;
  /** Idempotency key `payout:<payoutId>`. */
  createTransfer(input: {
    payoutId: string;
    destination: string;
    amount: bigint;
    currency: string;
  }): Promise<{
    transferId: string;
    reversed: boolean;
    amountReversed: number;
  }>;
  retrieveTransfer(
    transferId: string,
  ): Promise<{ transferId: string; reversed: boolean; amountReversed: number }>;
  /** A charge's payment intent and the metadata Payrail gave it (payment_event_id). */
  retrieveCharge(
    chargeId: string,
  ): Promise<{ chargeId: string; paymentIntentId: string | null; metadata: Record<string, string> }>;
  /** Transfers created in [from, to), with whether they were reversed since. */
  listTransfers(input: { from: Date; to: Date }): AsyncIterable<Stripe.Transfer>;
  /** Every balance transaction created in [from, to), oldest API page first (auto-pagination). */
  listBalanceTransactions(input: { from: Date; to: Date }): AsyncIterable<Stripe.BalanceTransaction>;
  /** Verifies a webhook against any of the secrets (rotation with overlap), 300 s tolerance. */
  constructWebhookEvent(rawBody: string, signatureHeader: string, secrets: string[]): Promise<Stripe.Event>;
}

/** Minor units as the SDK's number, refusing anything a double cannot hold exactly. */
export function toSdkAmount(amount: bigint): number {
  const value = Number(amount);
  if (!Number.isSafeInteger(value) || value < 0)
    throw new RangeError(`amount ${amount} cannot be sent to the PSP`);
  return value;
}
