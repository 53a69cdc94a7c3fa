// What a buyer reads when the PSP declines: plain words, no codes.
const messages: Record<string, string> = {
  generic_decline: "Your card was declined. Please use another card or contact your bank.",
  card_declined: "Your card was declined. Please use another card or contact your bank.",
  insufficient_funds: "Your card has insufficient funds. Please use another card.",
  lost_card: "Your card was declined. Please use another card.",
  stolen_card: "Your card was declined. Please use another card.",
  expired_card: "Your card has expired. Please use another card.",
  incorrect_cvc: "The security code (CVC) was wrong. Please check it and try again.",
  processing_error: "Something went wrong while processing your card. Please try again.",
  authentication_required: "Your bank could not confirm it was you. Please try again.",
  expired: "The payment was not completed in time. Please try again.",
};

export function declineMessage(code?: string | null): string {
  return (code && messages[code]) || "Your payment could not be completed. Please try another card.";
}
