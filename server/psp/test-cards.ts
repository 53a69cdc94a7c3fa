// Stripe's documented test cards, and what each does in the emulator.
export type CardOutcome =
  | { kind: "success" }
  | { kind: "decline"; code: string; declineCode: string; message: string }
  | { kind: "three_d_secure" }
  | { kind: "refund_fails" };

const declined = (declineCode: string, message: string, code = "card_declined"): CardOutcome => ({
  kind: "decline",
  code,
  declineCode,
  message,
});

export const testCards: Record<string, CardOutcome> = {
  "4242424242424242": { kind: "success" },
  "5555555555554444": { kind: "success" },
  "4000000000000002": declined("generic_decline", "Your card was declined."),
  "4000000000009995": declined("insufficient_funds", "Your card has insufficient funds."),
  "4000000000009987": declined("lost_card", "Your card was declined."),
  "4000000000009979": declined("stolen_card", "Your card was declined."),
  "4000000000000069": declined("expired_card", "Your card has expired.", "expired_card"),
  "4000000000000127": declined("incorrect_cvc", "Your card's security code is incorrect.", "incorrect_cvc"),
  "4000000000000119": declined(
    "processing_error",
    "An error occurred while processing your card.",
    "processing_error",
  ),
  "4000000000003220": { kind: "three_d_secure" },
  "4000000000005126": { kind: "refund_fails" },
};

/** Stripe's test PaymentMethod ids for server-side confirmation. */
export const testPaymentMethods: Record<string, string> = {
  pm_card_visa: "4242424242424242",
  pm_card_mastercard: "5555555555554444",
  pm_card_chargeDeclined: "4000000000000002",
  pm_card_chargeDeclinedInsufficientFunds: "4000000000009995",
  pm_card_chargeDeclinedLostCard: "4000000000009987",
  pm_card_chargeDeclinedExpiredCard: "4000000000000069",
  pm_card_chargeDeclinedIncorrectCvc: "4000000000000127",
  pm_card_authenticationRequired: "4000000000003220",
  pm_card_refundFail: "4000000000005126",
};

export function cardOutcome(number: string): CardOutcome | null {
  return testCards[number.replace(/[\s-]/g, "")] ?? null;
}
