// The PSP port on the real `stripe` SDK. Pointed at the emulator by host/port, or at Stripe.
// The SDK retries network errors, 409s, 429s (honouring Retry-After) and 5xx with backoff, always
// with the same idempotency key, so a retry can never double an operation.
import Stripe from "stripe";
import { type PspPort, type PspRefund, toSdkAmount } from "./port";

export const WEBHOOK_TOLERANCE_SECONDS = 300;

export interface StripeAdapterOptions {
  secretKey: string;
  /** The API base URL (STRIPE_API_BASE), e.g. `http://127.0.0.1:12111` for the emulator; absent for Stripe. */
  emulatorUrl?: string;
  timeoutMs?: number;
  maxNetworkRetries?: number;
}

export function createStripeClient(options: StripeAdapterOptions): Stripe {
  const emulator = options.emulatorUrl ? new URL(options.emulatorUrl) : null;
  return new Stripe(options.secretKey, {
    maxNetworkRetries: options.maxNetworkRetries ?? 2,
    timeout: options.timeoutMs ?? 10_000,
    telemetry: false,
    ...(emulator
      ? {
          host: emulator.hostname,
          // An URL without a port means the scheme's default one.
          port: Number(emulator.port || (emulator.protocol === "https:" ? 443 : 80)),
          protocol: emulator.protocol.replace(":", "") as "http",
        }
      : {}),
  });
}

const RATE_LIMIT_RETRIES = 3;

/**
 * The SDK retries 5xx and 409 but not a plain 429, so outbound calls back off here: wait what
 * Retry-After says (capped), or 0.5 s, 1 s, 2 s with jitter, then repeat the same request — with
 * the same idempotency key, so nothing can happen twice.
 */
export async function withRateLimitBackoff<T>(
  call: () => Promise<T>,
  sleep = (ms: number) => new Promise((r) => setTimeout(r, ms)),
): Promise<T> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await call();
    } catch (error) {
      const { statusCode, headers } = error as { statusCode?: number; headers?: Record<string, string> };
      if (statusCode !== 429 || attempt >= RATE_LIMIT_RETRIES) throw error;
      const retryAfter = Number(headers?.["retry-after"]);
      const backoff = 500 * 2 ** attempt * (0.5 + Math.random() / 2);
      await sleep(
        Number.isFinite(retryAfter) && retryAfter > 0 ? Math.min(retryAfter * 1000, 5_000) : backoff,
      );
    }
  }
}

/**
 * Starts `call` without the stack trace the SDK captures at every request (to append to its
 * errors): with source maps on, as under tsx and Next, formatting it cost more CPU than building
 * the request. Our errors carry our own stacks; the SDK's then end in an empty "Originating from".
 */
export function withoutCallSiteStack<T>(call: () => Promise<T>): Promise<T> {
  const limit = Error.stackTraceLimit;
  Error.stackTraceLimit = 0;
  try {
    return call();
  } finally {
    Error.stackTraceLimit = limit;
  }
}

function refundState(refund: Stripe.Refund): PspRefund {
  return {
    pspRefundId: refund.id,
    status: refund.status ?? "pending",
    failureReason: refund.failure_reason ?? null,
  };
}

export function createStripeAdapter(options: StripeAdapterOptions): PspPort {
  const stripe = createStripeClient(options);
  const port: PspPort = {
    async createCheckoutSession(input) {
      const session = await stripe.checkout.sessions.create(
        {
          mode: "payment",
          line_items: input.lineItems.map((item) => ({
            quantity: item.quantity,
            price_data: {
              currency: input.currency,
              unit_amount: toSdkAmount(item.amount),
              product_data: { name: item.name },
            },
          })),
          success_url: input.successUrl,
          cancel_url: input.cancelUrl,
          client_reference_id: input.paymentEventId,
          metadata: input.metadata,
          payment_intent_data: { metadata: input.metadata, transfer_group: input.paymentEventId },
        },
        { idempotencyKey: `checkout:${input.paymentEventId}` },
      );
      if (!session.url) throw new Error(`checkout session ${session.id} has no URL`);
      return { sessionId: session.id, url: session.url };
    },

    async retrieveCheckoutStatus(sessionId) {
      const session = await stripe.checkout.sessions.retrieve(sessionId, { expand: ["payment_intent"] });
      const intent =
        typeof session.payment_intent === "string"
          ? await stripe.paymentIntents.retrieve(session.payment_intent)
          : session.payment_intent;
      const error = intent?.last_payment_error;
      return {
        status: session.status ?? "open",
        paymentStatus: session.payment_status,
        paymentIntentId: intent?.id,
        chargeId:
          typeof intent?.latest_charge === "string" ? intent.latest_charge : intent?.latest_charge?.id,
        failureCode:
          session.payment_status === "paid" ? undefined : (error?.decline_code ?? error?.code ?? undefined),
        failureMessage: session.payment_status === "paid" ? undefined : error?.message,
      };
    },

    async createRefund(input) {
      const refund = await stripe.refunds.create(
        {
          payment_intent: input.paymentIntentId,
          amount: toSdkAmount(input.amount),
          metadata: { refund_id: input.refundId },
        },
        { idempotencyKey: `refund:${input.refundId}` },
      );
      return refundState(refund);
    },

    async retrieveRefund(pspRefundId) {
      return refundState(await stripe.refunds.retrieve(pspRefundId));
    },

    async createConnectedAccount(input) {
      const account = await stripe.accounts.create(
        {
          type: "express",
          email: input.email,
          metadata: { seller_id: input.sellerId },
          capabilities: { transfers: { requested: true } },
        },
        { idempotencyKey: `account:${input.sellerId}` },
      );
      return { accountId: account.id };
    },

    async createTransfer(input) {
      const transfer = await stripe.transfers.create(
        {
          amount: toSdkAmount(input.amount),
          currency: input.currency,
          destination: input.destination,
          transfer_group: `payout:${input.payoutId}`,
          metadata: { payout_id: input.payoutId },
        },
        { idempotencyKey: `payout:${input.payoutId}` },
      );
      return {
        transferId: transfer.id,
        reversed: transfer.reversed,
        amountReversed: transfer.amount_reversed,
      };
    },

    async retrieveTransfer(transferId) {
      const transfer = await stripe.transfers.retrieve(transferId);
      return {
        transferId: transfer.id,
        reversed: transfer.reversed,
        amountReversed: transfer.amount_reversed,
      };
    },

    async retrieveCharge(chargeId) {
      const charge = await stripe.charges.retrieve(chargeId);
      const intent =
        typeof charge.payment_intent === "string"
          ? charge.payment_intent
          : (charge.payment_intent?.id ?? null);
      return { chargeId: charge.id, paymentIntentId: intent, metadata: charge.metadata ?? {} };
    },

    listTransfers({ from, to }) {
      return stripe.transfers.list({
        created: { gte: Math.floor(from.getTime() / 1000), lt: Math.ceil(to.getTime() / 1000) },
        limit: 100,
      });
    },

    listBalanceTransactions({ from, to }) {
      return stripe.balanceTransactions.list({
        created: { gte: Math.floor(from.getTime() / 1000), lt: Math.ceil(to.getTime() / 1000) },
        limit: 100,
      });
    },

    async constructWebhookEvent(rawBody, signatureHeader, secrets) {
      // The error is made only when no secret verifies: an Error captures a stack trace, and this
      // runs for every webhook.
      let lastError: unknown;
      for (const secret of secrets) {
        try {
          return await stripe.webhooks.constructEventAsync(
            rawBody,
            signatureHeader,
            secret,
            WEBHOOK_TOLERANCE_SECONDS,
          );
        } catch (error) {
          lastError = error;
        }
      }
      throw lastError ?? new Error("no webhook secret configured");
    },
  };
  // Every request-making method backs off on 429; listing pages are retried by the SDK itself.
  const throttled = (name: keyof PspPort) => {
    const method = port[name] as (...args: unknown[]) => Promise<unknown>;
    return (...args: unknown[]) => withRateLimitBackoff(() => withoutCallSiteStack(() => method(...args)));
  };
  return {
    ...port,
    createCheckoutSession: throttled("createCheckoutSession") as PspPort["createCheckoutSession"],
    retrieveCheckoutStatus: throttled("retrieveCheckoutStatus") as PspPort["retrieveCheckoutStatus"],
    createRefund: throttled("createRefund") as PspPort["createRefund"],
    retrieveRefund: throttled("retrieveRefund") as PspPort["retrieveRefund"],
    createConnectedAccount: throttled("createConnectedAccount") as PspPort["createConnectedAccount"],
    createTransfer: throttled("createTransfer") as PspPort["createTransfer"],
    retrieveTransfer: throttled("retrieveTransfer") as PspPort["retrieveTransfer"],
    retrieveCharge: throttled("retrieveCharge") as PspPort["retrieveCharge"],
  };
}
