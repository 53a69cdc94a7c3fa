// Money is formatted for people only here, at the edge; everything else keeps bigint minor units.
const fractionDigits = (currency: string) =>
  new Intl.NumberFormat("en-US", { style: "currency", currency }).resolvedOptions().maximumFractionDigits ??
  2;

export function formatMoney(amount: bigint, currency = "usd"): string {
  const code = currency.toUpperCase();
  const digits = fractionDigits(code);
  const negative = amount < 0n;
  const absolute = negative ? -amount : amount;
  const scale = 10n ** BigInt(digits);
  const whole = absolute / scale;
  const fraction = absolute % scale;
  // Intl formats the integer part (grouping, symbol) exactly from a string; never a float.
  const formatted = new Intl.NumberFormat("en-US", {
    style: "currency",
    currency: code,
    minimumFractionDigits: digits,
  }).format(`${whole}.${fraction.toString().padStart(digits, "0")}` as unknown as number);
  return negative ? `-${formatted}` : formatted;
}

export function formatDateTime(date: Date | string): string {
  return (
    new Date(date).toLocaleString("en-GB", { dateStyle: "medium", timeStyle: "short", timeZone: "UTC" }) +
    " UTC"
  );
}
