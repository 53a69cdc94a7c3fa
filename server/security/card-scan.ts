// Finds anything that looks like a payment card number: 13–19 digits (spaces or dashes allowed
// between them) with a card brand's prefix that pass the Luhn check. Payrail never receives card
// data (SAQ A); this proves it after a full run.
const candidate = /(?<![\d])(?:\d[ -]?){12,18}\d(?![\d])/g;
const brandPrefix = /^(4|5[1-5]|2[2-7]|3[47]|6011|65)/;

export function passesLuhn(digits: string): boolean {
  let sum = 0;
  for (let index = 0; index < digits.length; index++) {
    let digit = Number(digits[digits.length - 1 - index]);
    if (index % 2 === 1) {
      digit *= 2;
      if (digit > 9) digit -= 9;
    }
    sum += digit;
  }
  return sum % 10 === 0;
}

// UUIDs and hex digests (SHA-256 input hashes, the audit chain) are made of hex digits and may
// hold a run of digits that passes as a card number by chance: about one digest in a thousand.
const hexTokens =
  /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}|(?<![0-9a-z])[0-9a-f]{32,}(?![0-9a-z])/gi;

export function findCardNumbers(text: string): string[] {
  const found: string[] = [];
  for (const match of text.replace(hexTokens, " ").matchAll(candidate)) {
    const digits = match[0].replace(/[ -]/g, "");
    if (digits.length >= 13 && digits.length <= 19 && brandPrefix.test(digits) && passesLuhn(digits)) {
      found.push(`${digits.slice(0, 6)}…${digits.slice(-4)}`);
    }
  }
  return found;
}

/** Replaces every card-like number (as findCardNumbers sees them) so logs never carry one. */
export function maskCardNumbers(text: string): string {
  const maskSpan = (span: string) =>
    span.replace(candidate, (match) => {
      const digits = match.replace(/[ -]/g, "");
      return brandPrefix.test(digits) && passesLuhn(digits) ? "[card redacted]" : match;
    });
  // UUIDs and digests are left alone, for the same reason findCardNumbers skips them.
  let masked = "";
  let last = 0;
  for (const match of text.matchAll(hexTokens)) {
    masked += maskSpan(text.slice(last, match.index)) + match[0];
    last = match.index + match[0].length;
  }
  return masked + maskSpan(text.slice(last));
}
