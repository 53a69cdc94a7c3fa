// The emulated PSP's money movements: checkout sessions paid with test cards, charges with fees,
// refunds (including ones that fail later), Connect accounts, transfers and reversals, payouts,
// balance transactions and the events that announce each change.
import type Stripe from "stripe";
import { cardOutcome } from "../test-cards";
import { Balances } from "./balance";
import { invalid, noSuch, StripeError } from "./errors";
import { cardFee } from "./fees";
import { type Store, subscribesTo } from "./store";
import type { WebhookDispatcher } from "./webhooks";

type Obj = Record<string, unknown>;

export class Engine {
  readonly balances: Balances;

  constructor(
    readonly store: Store,
    private readonly webhooks: WebhookDispatcher,
    private readonly refundFailDelayMs = Number(process.env.PSP_REFUND_FAIL_DELAY_MS ?? 500),
  ) {
    this.balances = new Balances(store);
    // Refunds doomed to fail whose timer a restart lost fail now.
    for (const id of store.state.failingRefunds)
      setTimeout(() => this.failRefund(id), refundFailDelayMs).unref();
  }

  private get s() {
    return this.store.state;
  }

  emit(type: string, object: Obj, previous?: Obj): Stripe.Event {
    const event = {
      id: this.store.id("evt"),
      object: "event",
      api_version: "2025-09-30.clover",
      created: this.store.now(),
      data: { object: structuredClone(object), ...(previous ? { previous_attributes: previous } : {}) },
      livemode: false,
      pending_webhooks: this.s.webhookEndpoints.filter((endpoint) => subscribesTo(endpoint, type)).length,
      request: { id: null, idempotency_key: null },
      type,
    } as unknown as Stripe.Event;
    this.s.events[event.id] = event;
    this.store.changed();
    this.webhooks.dispatch(event);
    return event;
  }

  balanceTransaction(
    type: string,
    amount: number,
    fee: number,
    currency: string,
    source: string,
    category: string,
  ) {
    const txn = {
      id: this.store.id("txn"),
      object: "balance_transaction",
      amount,
      available_on: this.store.now() + 2 * 86_400,
      balance_type: "payments",
      created: this.store.now(),
      currency,
      description: null,
      exchange_rate: null,
      fee,
      fee_details: fee
        ? [
            {
              amount: fee,
              application: null,
              currency,
              description: "Stripe processing fees",
              type: "stripe_fee",
            },
          ]
        : [],
      net: amount - fee,
      reporting_category: category,
      source,
      status: "pending",
      type,
    } as unknown as Stripe.BalanceTransaction;
    this.s.balanceTransactions[txn.id] = txn;
    this.balances.track(txn);
    return txn;
  }

  // ── checkout ────────────────────────────────────────────────────────────────

  createSession(params: {
    currency: string;
    lineItems: { name: string; unitAmount: number; quantity: number }[];
    successUrl: string;
    cancelUrl?: string;
    clientReferenceId?: string;
    metadata: Record<string, string>;
    paymentIntentMetadata: Record<string, string>;
    transferGroup?: string;
    expiresAt?: number;
    baseUrl: string;
  }): Stripe.Checkout.Session {
    const id = this.store.id("cs_test");
    const total = params.lineItems.reduce((sum, item) => sum + item.unitAmount * item.quantity, 0);
    const session = {
      id,
      object: "checkout.session",
      amount_subtotal: total,
      amount_total: total,
      cancel_url: params.cancelUrl ?? null,
      client_reference_id: params.clientReferenceId ?? null,
      created: this.store.now(),
      currency: params.currency,
      customer: null,
      customer_details: null,
      expires_at: params.expiresAt ?? this.store.now() + 24 * 3600,
      livemode: false,
      metadata: params.metadata,
      mode: "payment",
      payment_intent: null,
      payment_method_types: ["card"],
      payment_status: "unpaid",
      status: "open",
      success_url: params.successUrl.replaceAll("{CHECKOUT_SESSION_ID}", id),
      ui_mode: "hosted",
      url: `${params.baseUrl}/pay/${id}`,
    } as unknown as Stripe.Checkout.Session;
    this.s.sessions[id] = session;
    this.s.sessionExtras[id] = {};
    this.s.sessionIntentParams[id] = {
      metadata: params.paymentIntentMetadata,
      transfer_group: params.transferGroup ?? null,
    };
    this.s.lineItems[id] = params.lineItems.map((item) => ({
      id: this.store.id("li"),
      object: "item",
      amount_subtotal: item.unitAmount * item.quantity,
      amount_total: item.unitAmount * item.quantity,
      currency: params.currency,
      description: item.name,
      quantity: item.quantity,
      price: {
        object: "price",
        currency: params.currency,
        unit_amount: item.unitAmount,
        product_data: { name: item.name },
      },
    })) as unknown as Stripe.LineItem[];
    this.store.changed();
    return session;
  }

  session(id: string): Stripe.Checkout.Session {
    const session = this.s.sessions[id];
    if (!session) throw noSuch("checkout.session", id);
    this.expireIfDue(session);
    return session;
  }

  private expireIfDue(session: Stripe.Checkout.Session) {
    if (session.status === "open" && session.expires_at <= this.store.now()) this.expireSession(session.id);
  }

  expireSession(id: string): Stripe.Checkout.Session {
    const session = this.s.sessions[id];
    if (!session) throw noSuch("checkout.session", id);
    if (session.status === "complete") {
      throw invalid(
        "Only Checkout Sessions with a status of `open` can be expired.",
        undefined,
        "checkout_session_not_open",
      );
    }
    if (session.status === "open") {
      session.status = "expired";
      this.store.changed();
      this.emit("checkout.session.expired", session as unknown as Obj);
    }
    return session;
  }

  private intentFor(session: Stripe.Checkout.Session): Stripe.PaymentIntent {
    const existing = session.payment_intent ? this.s.intents[session.payment_intent as string] : undefined;
    if (existing) return existing;
    const extra = this.s.sessionIntentParams[session.id];
    const intent = this.createIntent(
      session.amount_total ?? 0,
      session.currency ?? "usd",
      extra?.metadata ?? {},
      extra?.transfer_group ?? null,
    );
    session.payment_intent = intent.id;
    return intent;
  }

  createIntent(
    amount: number,
    currency: string,
    metadata: Record<string, string>,
    transferGroup: string | null,
  ) {
    if (!Number.isInteger(amount) || amount < 50)
      throw invalid("Amount must be at least 50 cents", "amount", "amount_too_small");
    const intent = {
      id: this.store.id("pi"),
      object: "payment_intent",
      amount,
      amount_capturable: 0,
      amount_received: 0,
      capture_method: "automatic",
      client_secret: null,
      confirmation_method: "automatic",
      created: this.store.now(),
      currency,
      last_payment_error: null,
      latest_charge: null,
      livemode: false,
      metadata,
      payment_method: null,
      payment_method_types: ["card"],
      status: "requires_payment_method",
      transfer_group: transferGroup,
    } as unknown as Stripe.PaymentIntent;
    this.s.intents[intent.id] = intent;
    this.store.changed();
    return intent;
  }

  /** Pays an intent with a test card: a charge, a fee and events; or a decline. */
  chargeIntent(intent: Stripe.PaymentIntent, card: string): { ok: true } | { ok: false; error: StripeError } {
    const outcome = cardOutcome(card);
    if (!outcome) {
      return {
        ok: false,
        error: new StripeError(402, "card_error", "Your card number is incorrect.", {
          code: "incorrect_number",
        }),
      };
    }
    const charge = {
      id: this.store.id("ch"),
      object: "charge",
      amount: intent.amount,
      amount_captured: 0,
      amount_refunded: 0,
      balance_transaction: null,
      captured: false,
      created: this.store.now(),
      currency: intent.currency,
      failure_code: null,
      failure_message: null,
      livemode: false,
      metadata: intent.metadata,
      outcome: null,
      paid: false,
      payment_intent: intent.id,
      payment_method_details: {
        type: "card",
        card: { brand: card.startsWith("5") ? "mastercard" : "visa", last4: card.slice(-4) },
      },
      refunded: false,
      status: "failed",
      transfer_group: intent.transfer_group,
    } as unknown as Stripe.Charge;
    this.s.charges[charge.id] = charge;
    intent.latest_charge = charge.id;
    if (outcome.kind === "decline") {
      Object.assign(charge, {
        failure_code: outcome.code,
        failure_message: outcome.message,
        outcome: {
          type: "issuer_declined",
          reason: outcome.declineCode,
          network_status: "declined_by_network",
        },
      });
      const lastError = {
        type: "card_error",
        code: outcome.code,
        decline_code: outcome.declineCode,
        message: outcome.message,
        charge: charge.id,
      };
      Object.assign(intent, { status: "requires_payment_method", last_payment_error: lastError });
      this.store.changed();
      this.emit("charge.failed", charge as unknown as Obj);
      this.emit("payment_intent.payment_failed", intent as unknown as Obj);
      return {
        ok: false,
        error: new StripeError(402, "card_error", outcome.message, {
          code: outcome.code,
          decline_code: outcome.declineCode,
        }),
      };
    }
    const fee = cardFee(intent.amount);
    const txn = this.balanceTransaction("charge", intent.amount, fee, intent.currency, charge.id, "charge");
    Object.assign(charge, {
      amount_captured: intent.amount,
      balance_transaction: txn.id,
      captured: true,
      paid: true,
      status: "succeeded",
      outcome: { type: "authorized", network_status: "approved_by_network" },
    });
    if (outcome.kind === "refund_fails") (charge.metadata as Record<string, string>).__refund_fails = "true";
    Object.assign(intent, {
      status: "succeeded",
      amount_received: intent.amount,
      last_payment_error: null,
      payment_method: this.store.id("pm"),
    });
    this.store.changed();
    this.emit("charge.succeeded", charge as unknown as Obj);
    this.emit("payment_intent.succeeded", intent as unknown as Obj);
    return { ok: true };
  }

  /** What the hosted page's Pay button does. 3-D Secure cards need `authenticate`. */
  completeSession(
    id: string,
    card: string,
    authenticate?: boolean,
  ): { status: "paid" | "declined" | "authenticate"; message?: string } {
    const session = this.session(id);
    if (session.status !== "open")
      throw invalid(`This Checkout Session is ${session.status}.`, undefined, "checkout_session_not_open");
    const outcome = cardOutcome(card);
    if (outcome?.kind === "three_d_secure" && authenticate === undefined) {
      this.s.sessionExtras[id] = { card, awaitingAuthentication: true };
      this.store.changed();
      return { status: "authenticate" };
    }
    const intent = this.intentFor(session);
    if (outcome?.kind === "three_d_secure" && authenticate === false) {
      const message = "We are unable to authenticate your payment method.";
      Object.assign(intent, {
        last_payment_error: {
          type: "card_error",
          code: "payment_intent_authentication_failure",
          decline_code: "authentication_required",
          message,
        },
      });
      this.store.changed();
      this.emit("payment_intent.payment_failed", intent as unknown as Obj);
      return { status: "declined", message };
    }
    const result = this.chargeIntent(intent, card);
    if (!result.ok) return { status: "declined", message: result.error.message };
    Object.assign(session, { status: "complete", payment_status: "paid" });
    this.s.sessionExtras[id] = {};
    this.store.changed();
    this.emit("checkout.session.completed", session as unknown as Obj);
    return { status: "paid" };
  }

  // ── refunds ─────────────────────────────────────────────────────────────────

  createRefund(params: {
    paymentIntent?: string;
    charge?: string;
    amount?: number;
    metadata: Record<string, string>;
    reason?: string;
  }) {
    let chargeId = params.charge;
    if (!chargeId && params.paymentIntent) {
      const intent = this.s.intents[params.paymentIntent];
      if (!intent) throw noSuch("payment_intent", params.paymentIntent, "payment_intent");
      if (intent.status !== "succeeded" || !intent.latest_charge) {
        throw invalid(
          `This PaymentIntent (${intent.id}) does not have a successful charge to refund.`,
          "payment_intent",
          "charge_not_refundable",
        );
      }
      chargeId = intent.latest_charge as string;
    }
    if (!chargeId)
      throw invalid(
        "One of the following params should be provided for this request: payment_intent or charge.",
        undefined,
        "parameter_missing",
      );
    const charge = this.s.charges[chargeId];
    if (!charge) throw noSuch("charge", chargeId, "charge");
    const remaining = charge.amount - charge.amount_refunded;
    if (remaining <= 0)
      throw invalid(`Charge ${charge.id} has already been refunded.`, undefined, "charge_already_refunded");
    const amount = params.amount ?? remaining;
    if (!Number.isInteger(amount) || amount <= 0)
      throw invalid("Invalid positive integer", "amount", "parameter_invalid_integer");
    if (amount > remaining) {
      throw invalid(
        `Refund amount (${amount}) is greater than unrefunded amount on charge (${remaining})`,
        "amount",
        "amount_too_large",
      );
    }
    const txn = this.balanceTransaction("refund", -amount, 0, charge.currency, "", "refund");
    const refund = {
      id: this.store.id("re"),
      object: "refund",
      amount,
      balance_transaction: txn.id,
      charge: charge.id,
      created: this.store.now(),
      currency: charge.currency,
      metadata: params.metadata,
      payment_intent: charge.payment_intent,
      reason: params.reason ?? null,
      status: "succeeded",
    } as unknown as Stripe.Refund;
    (txn as unknown as Obj).source = refund.id;
    this.s.refunds[refund.id] = refund;
    Object.assign(charge, {
      amount_refunded: charge.amount_refunded + amount,
      refunded: charge.amount_refunded + amount === charge.amount,
    });
    this.store.changed();
    this.emit("refund.created", refund as unknown as Obj);
    this.emit("charge.refunded", charge as unknown as Obj);
    if ((charge.metadata as Record<string, string>).__refund_fails === "true") {
      this.s.failingRefunds.push(refund.id);
      setTimeout(() => this.failRefund(refund.id), this.refundFailDelayMs).unref();
    }
    return refund;
  }

  /** Stripe's asynchronous refund failure: the money returns to the merchant balance. */
  failRefund(id: string): void {
    const refund = this.s.refunds[id];
    this.s.failingRefunds = this.s.failingRefunds.filter((item) => item !== id);
    if (!refund || refund.status === "failed") return;
    const charge = this.s.charges[refund.charge as string]!;
    Object.assign(refund, { status: "failed", failure_reason: "expired_or_canceled_card" });
    const txn = this.balanceTransaction(
      "refund_failure",
      refund.amount,
      0,
      refund.currency,
      refund.id,
      "refund_failure",
    );
    (refund as unknown as Obj).failure_balance_transaction = txn.id;
    Object.assign(charge, { amount_refunded: charge.amount_refunded - refund.amount, refunded: false });
    this.store.changed();
    this.emit("refund.failed", refund as unknown as Obj);
    this.emit("refund.updated", refund as unknown as Obj, { status: "succeeded" });
  }

  // ── Connect ─────────────────────────────────────────────────────────────────

  createAccount(params: { email?: string; country?: string; metadata: Record<string, string> }) {
    const account = {
      id: this.store.id("acct"),
      object: "account",
      business_type: null,
      capabilities: { transfers: "active" },
      charges_enabled: true,
      country: params.country ?? "US",
      created: this.store.now(),
      default_currency: "usd",
      details_submitted: true,
      email: params.email ?? null,
      metadata: params.metadata,
      payouts_enabled: true,
      type: "express",
    } as unknown as Stripe.Account;
    this.s.accounts[account.id] = account;
    this.store.changed();
    this.emit("account.updated", account as unknown as Obj);
    return account;
  }

  createTransfer(params: {
    amount: number;
    currency: string;
    destination: string;
    transferGroup?: string;
    metadata: Record<string, string>;
  }) {
    const account = this.s.accounts[params.destination];
    if (!account)
      throw invalid(`No such destination: '${params.destination}'`, "destination", "resource_missing");
    if (
      (account.metadata as Record<string, string>)?.__fail_transfers === "true" ||
      account.payouts_enabled === false
    ) {
      throw invalid(
        "Your destination account needs to have at least one of the following capabilities enabled: transfers",
        "destination",
        "insufficient_capabilities_for_transfer",
      );
    }
    if (!Number.isInteger(params.amount) || params.amount <= 0)
      throw invalid("Invalid positive integer", "amount", "parameter_invalid_integer");
    const txn = this.balanceTransaction("transfer", -params.amount, 0, params.currency, "", "transfer");
    const transfer = {
      id: this.store.id("tr"),
      object: "transfer",
      amount: params.amount,
      amount_reversed: 0,
      balance_transaction: txn.id,
      created: this.store.now(),
      currency: params.currency,
      description: null,
      destination: params.destination,
      destination_payment: this.store.id("py"),
      livemode: false,
      metadata: params.metadata,
      reversals: { object: "list", data: [], has_more: false, url: "" },
      reversed: false,
      source_transaction: null,
      source_type: "card",
      transfer_group: params.transferGroup ?? null,
    } as unknown as Stripe.Transfer;
    (txn as unknown as Obj).source = transfer.id;
    (transfer.reversals as unknown as Obj).url = `/v1/transfers/${transfer.id}/reversals`;
    this.s.transfers[transfer.id] = transfer;
    this.store.changed();
    this.emit("transfer.created", transfer as unknown as Obj);
    return transfer;
  }

  reverseTransfer(id: string, params: { amount?: number; metadata: Record<string, string> }) {
    const transfer = this.s.transfers[id];
    if (!transfer) throw noSuch("transfer", id);
    const remaining = transfer.amount - transfer.amount_reversed;
    const amount = params.amount ?? remaining;
    if (remaining <= 0 || amount > remaining || amount <= 0) {
      throw invalid(
        "Transfer reversal amount is greater than the amount that can be reversed.",
        "amount",
        "transfer_reversal_amount_too_large",
      );
    }
    const txn = this.balanceTransaction(
      "transfer_refund",
      amount,
      0,
      transfer.currency,
      "",
      "transfer_reversal",
    );
    const reversal = {
      id: this.store.id("trr"),
      object: "transfer_reversal",
      amount,
      balance_transaction: txn.id,
      created: this.store.now(),
      currency: transfer.currency,
      metadata: params.metadata,
      transfer: transfer.id,
    } as unknown as Stripe.TransferReversal;
    (txn as unknown as Obj).source = reversal.id;
    this.s.reversals[reversal.id] = reversal;
    transfer.amount_reversed += amount;
    transfer.reversed = transfer.amount_reversed === transfer.amount;
    (transfer.reversals.data as Stripe.TransferReversal[]).push(reversal);
    this.store.changed();
    this.emit("transfer.reversed", transfer as unknown as Obj);
    return reversal;
  }

  createPayout(params: {
    amount: number;
    currency: string;
    metadata: Record<string, string>;
    destination?: string;
  }) {
    if (!Number.isInteger(params.amount) || params.amount <= 0)
      throw invalid("Invalid positive integer", "amount", "parameter_invalid_integer");
    const txn = this.balanceTransaction("payout", -params.amount, 0, params.currency, "", "payout");
    const payout = {
      id: this.store.id("po"),
      object: "payout",
      amount: params.amount,
      arrival_date: this.store.now() + 2 * 86_400,
      automatic: false,
      balance_transaction: txn.id,
      created: this.store.now(),
      currency: params.currency,
      destination: params.destination ?? null,
      failure_code: null,
      failure_message: null,
      livemode: false,
      metadata: params.metadata,
      method: "standard",
      source_type: "card",
      status: "pending",
      type: "bank_account",
    } as unknown as Stripe.Payout;
    (txn as unknown as Obj).source = payout.id;
    this.s.payouts[payout.id] = payout;
    this.store.changed();
    this.emit("payout.created", payout as unknown as Obj);
    return payout;
  }

  settlePayout(id: string, outcome: "paid" | "failed", failureCode = "account_closed") {
    const payout = this.s.payouts[id];
    if (!payout) throw noSuch("payout", id);
    if (payout.status !== "pending" && payout.status !== "in_transit") return payout;
    if (outcome === "paid") {
      payout.status = "paid";
    } else {
      const txn = this.balanceTransaction(
        "payout_failure",
        payout.amount,
        0,
        payout.currency,
        payout.id,
        "payout_reversal",
      );
      Object.assign(payout, {
        status: "failed",
        failure_code: failureCode,
        failure_message: "The bank account has been closed.",
        failure_balance_transaction: txn.id,
      });
    }
    this.store.changed();
    this.emit(`payout.${outcome}`, payout as unknown as Obj);
    return payout;
  }
}
