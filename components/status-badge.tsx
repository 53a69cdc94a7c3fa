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

export function StatusBadge({ status }: { status: string }) {
  return (
    <span className={`badge ${tone[status] ?? ""}`}>
      {words[status] ?? status.replaceAll("_", " ").toLowerCase()}
    </span>
  );
}
