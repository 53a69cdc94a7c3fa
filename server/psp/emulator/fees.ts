// The emulator's card pricing, as Stripe's standard US rate: 2.9 % + 30 minor units, rounded
// half up to the minor unit.
export function cardFee(amount: number): number {
  return Math.floor((amount * 29 + 500) / 1000) + 30;
}
