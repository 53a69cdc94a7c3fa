// Request faults the control API injects into the Stripe API: 500s, 429s with Retry-After, and
// timeouts before or after the operation took effect.
export type RequestFaultKind = "error500" | "error429" | "timeout_before_effect" | "timeout_after_effect";

export interface RequestFault {
  path: RegExp;
  method?: string;
  kind: RequestFaultKind;
  remaining: number;
}

export class RequestFaults {
  private faults: RequestFault[] = [];

  add(fault: { path?: string; method?: string; kind: RequestFaultKind; count?: number }) {
    this.faults.push({
      path: new RegExp(fault.path ?? "."),
      method: fault.method?.toUpperCase(),
      kind: fault.kind,
      remaining: fault.count ?? 1,
    });
  }

  /** The fault to apply to this request, consumed; or none. */
  take(method: string, path: string): RequestFaultKind | null {
    const fault = this.faults.find(
      (item) => item.remaining > 0 && item.path.test(path) && (!item.method || item.method === method),
    );
    if (!fault) return null;
    fault.remaining--;
    this.faults = this.faults.filter((item) => item.remaining > 0);
    return fault.kind;
  }

  clear() {
    this.faults = [];
  }

  get pending() {
    return this.faults.reduce((sum, fault) => sum + fault.remaining, 0);
  }
}
