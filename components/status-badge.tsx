const tone: Record<string, string> = {
  SUCCEEDED: "good",
  SUCCESS: "good",
  PAID: "good",
  MATCHED: "good",
  COMPLETED: "good",
  FAILED: "bad",
  BLOCKED: "bad",
  REJECTED: "bad",
  CANCELED: "bad",
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
};

/** `plain` skips the payment wording ("Paid"): a succeeded refund is not a payment. */
export function StatusBadge({ status, plain = false }: { status: string; plain?: boolean }) {
  return (
    <span className={`badge ${tone[status] ?? ""}`}>
      {(!plain && words[status]) || status.replaceAll("_", " ").toLowerCase()}
    </span>
  );
}
