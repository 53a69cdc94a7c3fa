const tone: Record<string, string> = {
  SUCCEEDED: "good",
  SUCCESS: "good",
  PAID: "good",
  SHIPPED: "good",
  MATCHED: "good",
  COMPLETED: "good",
  FAILED: "bad",
  BLOCKED: "bad",
  REJECTED: "bad",
  CANCELED: "bad",
  // reconciliation mismatches
  MISSING_IN_LEDGER: "bad",
  MISSING_AT_PSP: "bad",
  AMOUNT_MISMATCH: "bad",
  STATUS_MISMATCH: "bad",
  DUPLICATE: "bad",
  AUTO_FIXED: "good",
  MANUAL: "warn",
  UNCLASSIFIED: "warn",
  IN_REVIEW: "warn",
  EXECUTING: "warn",
  PENDING: "warn",
  PROCESSING: "warn",
  NOT_STARTED: "",
};

const words: Record<string, string> = {
  SUCCEEDED: "Paid",
  SUCCESS: "Paid",
  EXECUTING: "Awaiting payment",
  IN_REVIEW: "In review",
  NOT_STARTED: "Not started",
  MISSING_AT_PSP: "Missing at PSP",
};

/** PROCESSING → "Processing": sentence case, like the words above. */
function sentence(status: string) {
  const text = status.replaceAll("_", " ").toLowerCase();
  return text.charAt(0).toUpperCase() + text.slice(1);
}

/** A status in words, as its badge shows it (for labels and headings). */
export function statusLabel(status: string): string {
  return words[status] ?? sentence(status);
}

/** `plain` skips the payment wording ("Paid"): a succeeded refund is not a payment. */
export function StatusBadge({ status, plain = false }: { status: string; plain?: boolean }) {
  const className = tone[status] ? `badge ${tone[status]}` : "badge";
  return <span className={className}>{plain ? sentence(status) : statusLabel(status)}</span>;
}
