// Request faults the control API injects into the Stripe API: 500s, 429s with Retry-After, delays,
// timeouts before or after the operation took effect, and connection resets.
export type RequestFaultKind =
  | "error500"
  | "error429"
  | "delay"
  | "timeout"
  | "timeout_before_effect"
  | "timeout_after_effect"
  | "connection_reset";

export const REQUEST_FAULT_KINDS: readonly RequestFaultKind[] = [
  "error500",
  "error429",
  "delay",
  "timeout",
  "timeout_before_effect",
  "timeout_after_effect",
  "connection_reset",
];

export interface RequestFault {
  path: RegExp;
  method?: string;
  kind: RequestFaultKind;
  remaining: number;
  /** for `delay`: how long the request waits before it is handled */
  delayMs: number;
}

export class RequestFaults {
  private faults: RequestFault[] = [];

  add(fault: { path?: string; method?: string; kind: RequestFaultKind; count?: number; delayMs?: number }) {
    this.faults.push({
      path: new RegExp(fault.path ?? "."),
      method: fault.method?.toUpperCase(),
      // `timeout` is the name for a timeout before the operation took effect.
      kind: fault.kind === "timeout" ? "timeout_before_effect" : fault.kind,
      remaining: fault.count ?? 1,
      delayMs: fault.delayMs ?? 2000,
    });
  }

  /** The fault to apply to this request, consumed; or none. */
  take(method: string, path: string): { kind: RequestFaultKind; delayMs: number } | null {
    // The common case (no faults armed) must cost nothing on the request path.
    if (this.faults.length === 0) return null;
    const fault = this.faults.find(
      (item) => item.remaining > 0 && item.path.test(path) && (!item.method || item.method === method),
    );
    if (!fault) return null;
    fault.remaining--;
    this.faults = this.faults.filter((item) => item.remaining > 0);
    return { kind: fault.kind, delayMs: fault.delayMs };
  }

  clear() {
    this.faults = [];
  }

  get pending() {
    return this.faults.reduce((sum, fault) => sum + fault.remaining, 0);
  }
}
