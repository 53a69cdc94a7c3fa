// Signed webhook delivery with retries, and the webhook faults the control API injects:
// dropped, duplicated, reordered and delayed deliveries.
import { createHmac } from "node:crypto";
import type Stripe from "stripe";
import { httpPost } from "./http-post";
import { type Store, subscribesTo, type WebhookEndpoint } from "./store";

export type WebhookFaultKind = "drop" | "duplicate" | "reorder" | "delay";

export interface WebhookFault {
  kind: WebhookFaultKind;
  remaining: number;
  delayMs?: number;
}

export function signPayload(payload: string, secret: string, timestamp: number): string {
  const signature = createHmac("sha256", secret).update(`${timestamp}.${payload}`).digest("hex");
  return `t=${timestamp},v1=${signature}`;
}

export class WebhookDispatcher {
  faults: WebhookFault[] = [];
  private held: Stripe.Event[] = [];
  private timers = new Set<NodeJS.Timeout>();
  delivered = 0;
  private closed = false;

  constructor(
    private readonly store: Store,
    private readonly retryDelaysMs = [200, 1000, 3000, 10_000, 30_000],
  ) {}

  dispatch(event: Stripe.Event): void {
    const fault = this.faults.find((item) => item.remaining > 0);
    if (fault) fault.remaining--;
    this.faults = this.faults.filter((item) => item.remaining > 0);
    switch (fault?.kind) {
      case "drop":
        return;
      case "duplicate":
        this.sendToAll(event);
        this.later(() => this.sendToAll(event), 50);
        return;
      case "delay":
        this.later(() => this.sendToAll(event), fault.delayMs ?? 2000);
        return;
      case "reorder":
        // Hold this one back until the next event has gone out.
        this.held.push(event);
        this.later(() => this.release(), 1500);
        return;
      default:
        this.sendToAll(event);
        this.release();
    }
  }

  /** Sends an existing event again to every endpoint, signed now, past any webhook fault. */
  redeliver(event: Stripe.Event): number {
    this.sendToAll(event);
    return this.endpointsFor(event).length;
  }

  private endpointsFor(event: Stripe.Event): WebhookEndpoint[] {
    return this.store.state.webhookEndpoints.filter((endpoint) => subscribesTo(endpoint, event.type));
  }

  private release() {
    const held = this.held;
    this.held = [];
    for (const event of held) this.later(() => this.sendToAll(event), 100);
  }

  private later(run: () => void, ms: number) {
    if (this.closed) return;
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      run();
    }, ms);
    this.timers.add(timer);
  }

  private sendToAll(event: Stripe.Event) {
    // Only what the emulator would still know after a crash is announced.
    void this.store.persisted().then(() => {
      for (const endpoint of this.endpointsFor(event)) void this.send(endpoint, event, 0);
    });
  }

  private async send(endpoint: WebhookEndpoint, event: Stripe.Event, attempt: number): Promise<void> {
    if (this.closed) return;
    // Compact, unlike Stripe's indented payloads: no receiver may depend on the whitespace (the
    // signature covers the bytes as sent), and each byte is hashed, parsed and stored downstream.
    const payload = JSON.stringify(event);
    // A 2xx within the timeout is a delivery; anything else is retried.
    const status = await httpPost(endpoint.url, payload, {
      "content-type": "application/json; charset=utf-8",
      "stripe-signature": signPayload(payload, endpoint.secret, this.store.now()),
      "user-agent": "Stripe/1.0 (Payrail PSP emulator)",
    })
      .then((response) => response.status)
      .catch(() => 0);
    const ok = status >= 200 && status < 300;
    if (ok) {
      this.delivered++;
      return;
    }
    const delay = this.retryDelaysMs[attempt];
    if (delay !== undefined) this.later(() => void this.send(endpoint, event, attempt + 1), delay);
  }

  close(): void {
    this.closed = true;
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
  }
}
