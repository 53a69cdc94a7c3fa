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

/** Minor units as a plain number of major units, for chart geometry only; labels use formatMoney. */
export function toMajorUnits(amount: bigint, currency = "usd"): number {
  return Number(amount) / 10 ** fractionDigits(currency.toUpperCase());
}

/** "12.50" typed by a person → 1250n minor units, exactly (no floats); null when not an amount. */
export function parseMoney(text: string, currency = "usd"): bigint | null {
  const digits = fractionDigits(currency.toUpperCase());
  const match = /^\s*(\d{1,12})(?:\.(\d+))?\s*$/.exec(text.replaceAll(",", ""));
  if (!match || (match[2]?.length ?? 0) > digits) return null;
  return BigInt(match[1]!) * 10n ** BigInt(digits) + BigInt((match[2] ?? "").padEnd(digits, "0") || "0");
}

export function formatTime(date: Date | string): string {
  return `${new Date(date).toLocaleTimeString("en-GB", { timeStyle: "short", timeZone: "UTC" })} UTC`;
}

export function formatDate(date: Date | string): string {
  return new Date(date).toLocaleDateString("en-GB", { dateStyle: "medium", timeZone: "UTC" });
}

/** The first 8 characters of a uuid: what tables show, and what the searches accept. */
export const shortId = (id: string) => id.slice(0, 8);

/** A tRPC error as a sentence, with zod's field messages when the input was refused. */
export function errorText(error: unknown): string {
  const data = (error as { data?: { fieldErrors?: Record<string, string[] | undefined> | null } }).data;
  const fields = Object.values(data?.fieldErrors ?? {}).flatMap((messages) => messages ?? []);
  if (fields.length) return fields.join(". ");
  return (error as Error)?.message ?? "Something went wrong";
}

/** "1 payment", "3 payments": a count with its noun, in the plural unless it is one. */
export function countOf(count: number, noun: string, plural = `${noun}s`): string {
  return `${count.toLocaleString("en-US")} ${count === 1 ? noun : plural}`;
}

/**
 * An order's items as one line: "Ceramic mug × 21, Pocket notebook × 1", with no-break spaces
 * around each "×" so a quantity never wraps away from its item.
 */
export function itemsSummary(items: unknown): string {
  return (items as { name: string; quantity: number }[])
    .map((item) => `${item.name}\u00a0×\u00a0${item.quantity}`)
    .join(", ");
}
