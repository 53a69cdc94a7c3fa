// The slice of the PSP port payouts use, normalized: the port's exact return shapes may evolve
// (Stripe objects or our own records), payouts only need the transfer id and whether it was reversed.
import { getPsp } from "@/server/psp/instance";

export interface TransferState {
  transferId: string;
  reversed: boolean;
}

export interface PayoutPsp {
  createConnectedAccount(input: { sellerId: string; email: string }): Promise<{ accountId: string }>;
  /** Idempotent by payout id: the same payout always gets the same transfer. */
  createTransfer(input: {
    payoutId: string;
    destination: string;
    amount: bigint;
    currency: string;
  }): Promise<TransferState>;
  retrieveTransfer(transferId: string): Promise<TransferState>;
}

type Loose = {
  transferId?: string;
  id?: string;
  reversed?: boolean;
  amountReversed?: number;
  amount_reversed?: number;
};

function normalize(result: unknown): TransferState {
  const value = result as Loose;
  const transferId = value.transferId ?? value.id;
  if (!transferId) throw new Error("PSP transfer without an id");
  // Only a full reversal counts; a partial one is a case for finance, not an automatic failure.
  return { transferId, reversed: value.reversed === true };
}

let override: PayoutPsp | null = null;

/** Tests and benchmarks may wrap the PSP (to count or break calls). */
export function setPayoutPspForTests(psp: PayoutPsp | null): void {
  override = psp;
}

export function payoutPsp(): PayoutPsp {
  if (override) return override;
  const psp = getPsp();
  return {
    createConnectedAccount: (input) => psp.createConnectedAccount(input),
    createTransfer: async (input) => normalize(await psp.createTransfer(input)),
    retrieveTransfer: async (id) => normalize(await psp.retrieveTransfer(id)),
  };
}

/**
 * Whether a PSP error is a definite refusal (the transfer was not made and never will be under
 * this key) rather than an unknown outcome (timeout, 5xx, connection), which must be asked again.
 */
export function isDefiniteRefusal(error: unknown): boolean {
  const e = error as { type?: string; rawType?: string; statusCode?: number; status?: number; code?: string };
  const status = e.statusCode ?? e.status;
  if (e.type === "StripeCardError" || e.rawType === "card_error" || e.type === "card_error") return true;
  if (e.type === "StripeIdempotencyError" || e.rawType === "idempotency_error") return false;
  if (
    e.type === "StripeInvalidRequestError" ||
    e.rawType === "invalid_request_error" ||
    e.type === "invalid_request_error"
  ) {
    return status === undefined || (status >= 400 && status < 500 && status !== 409 && status !== 429);
  }
  return false;
}

export function refusalReason(error: unknown): string {
  const e = error as { message?: string; code?: string };
  return `${e.code ? `${e.code}: ` : ""}${e.message ?? String(error)}`.slice(0, 500);
}
