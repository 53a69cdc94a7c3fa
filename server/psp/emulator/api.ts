// The Stripe API surface the emulator serves: method + path → handler over the engine.
import { testPaymentMethods } from "../test-cards";
import type { Engine } from "./engine";
import { invalid, missing, noSuch, StripeError } from "./errors";
import { type FormValue, int, list, metadataOf, record, str } from "./form-parser";
import { createdFilter, paginate } from "./store";

export interface ApiRequest {
  method: string;
  path: string;
  params: Record<string, FormValue>;
  baseUrl: string;
}

type Handler = (engine: Engine, request: ApiRequest, match: RegExpMatchArray) => unknown;

function requireInt(params: Record<string, FormValue>, name: string): number {
  const value = int(params[name]);
  if (value === undefined) throw missing(name);
  if (!Number.isInteger(value))
    throw invalid(`Invalid integer: ${str(params[name])}`, name, "parameter_invalid_integer");
  return value;
}

function currencyParam(params: Record<string, FormValue>, name = "currency"): string {
  const value = str(params[name]);
  if (!value) throw missing(name);
  if (!/^[a-zA-Z]{3}$/.test(value))
    throw invalid(`Invalid currency: ${value}`, name, "parameter_invalid_string");
  return value.toLowerCase();
}

function listOf<T extends { id: string; created: number }>(
  items: T[],
  request: ApiRequest,
  filter: (item: T) => boolean = () => true,
) {
  const inRange = createdFilter(request.params);
  try {
    return paginate(
      items.filter((item) => inRange(item.created) && filter(item)),
      request.params,
      request.path,
    );
  } catch (error) {
    throw invalid((error as Error).message, "limit");
  }
}

const createSession: Handler = (engine, { params, baseUrl }) => {
  if (str(params.mode) !== "payment") throw invalid("The emulator supports mode=payment only", "mode");
  const successUrl = str(params.success_url);
  if (!successUrl) throw missing("success_url");
  const items = list(params.line_items).map((raw, index) => {
    const item = record(raw);
    const price = record(item.price_data);
    const unitAmount = int(price.unit_amount);
    const quantity = int(item.quantity) ?? 1;
    if (unitAmount === undefined || !Number.isInteger(unitAmount) || unitAmount < 0) {
      throw invalid("Invalid unit_amount", `line_items[${index}][price_data][unit_amount]`);
    }
    if (!Number.isInteger(quantity) || quantity < 1)
      throw invalid("Invalid quantity", `line_items[${index}][quantity]`);
    return {
      name: str(record(price.product_data).name) ?? "Item",
      unitAmount,
      quantity,
      currency: currencyParam(price),
    };
  });
  if (items.length === 0) throw missing("line_items");
  const currencies = new Set(items.map((item) => item.currency));
  if (currencies.size > 1) throw invalid("All line items must use the same currency", "line_items");
  const intentData = record(params.payment_intent_data);
  const expiresAt = int(params.expires_at);
  return engine.createSession({
    currency: items[0]!.currency,
    lineItems: items,
    successUrl,
    cancelUrl: str(params.cancel_url),
    clientReferenceId: str(params.client_reference_id),
    metadata: metadataOf(params.metadata),
    paymentIntentMetadata: metadataOf(intentData.metadata),
    transferGroup: str(intentData.transfer_group),
    expiresAt: Number.isInteger(expiresAt) ? expiresAt : undefined,
    baseUrl,
  });
};

const createIntent: Handler = (engine, { params }) => {
  const intent = engine.createIntent(
    requireInt(params, "amount"),
    currencyParam(params),
    metadataOf(params.metadata),
    str(params.transfer_group) ?? null,
  );
  const method = str(params.payment_method);
  if (str(params.confirm) === "true") {
    if (!method) throw missing("payment_method");
    return confirm(engine, intent.id, method);
  }
  return intent;
};

function confirm(engine: Engine, intentId: string, method: string) {
  const intent = engine.store.state.intents[intentId];
  if (!intent) throw noSuch("payment_intent", intentId);
  const card = testPaymentMethod(method);
  const result = engine.chargeIntent(intent, card);
  if (!result.ok) {
    result.error.extra.payment_intent = intent;
    throw result.error;
  }
  return intent;
}

function testPaymentMethod(method: string): string {
  const card = testPaymentMethods[method];
  if (!card) throw noSuch("PaymentMethod", method, "payment_method");
  return card;
}

const routes: [string, RegExp, Handler][] = [
  ["POST", /^\/v1\/checkout\/sessions$/, createSession],
  [
    "GET",
    /^\/v1\/checkout\/sessions$/,
    (engine, request) =>
      listOf(
        Object.values(engine.store.state.sessions),
        request,
        (session) =>
          (!str(request.params.status) || session.status === request.params.status) &&
          (!str(request.params.payment_intent) || session.payment_intent === request.params.payment_intent),
      ),
  ],
  ["GET", /^\/v1\/checkout\/sessions\/([^/]+)$/, (engine, _request, match) => engine.session(match[1]!)],
  [
    "GET",
    /^\/v1\/checkout\/sessions\/([^/]+)\/line_items$/,
    (engine, request, match) => {
      engine.session(match[1]!);
      return listOf(
        (engine.store.state.lineItems[match[1]!] ?? []).map((item, index) => ({ ...item, created: index })),
        request,
      );
    },
  ],
  [
    "POST",
    /^\/v1\/checkout\/sessions\/([^/]+)\/expire$/,
    (engine, _request, match) => engine.expireSession(match[1]!),
  ],
  ["POST", /^\/v1\/payment_intents$/, createIntent],
  [
    "GET",
    /^\/v1\/payment_intents$/,
    (engine, request) => listOf(Object.values(engine.store.state.intents), request),
  ],
  [
    "GET",
    /^\/v1\/payment_intents\/([^/]+)$/,
    (engine, _request, match) => {
      const intent = engine.store.state.intents[match[1]!];
      if (!intent) throw noSuch("payment_intent", match[1]!);
      return intent;
    },
  ],
  [
    "POST",
    /^\/v1\/payment_intents\/([^/]+)\/confirm$/,
    (engine, { params }, match) => {
      const method = str(params.payment_method);
      if (!method) throw missing("payment_method");
      return confirm(engine, match[1]!, method);
    },
  ],
  [
    "GET",
    /^\/v1\/charges\/([^/]+)$/,
    (engine, _request, match) => {
      const charge = engine.store.state.charges[match[1]!];
      if (!charge) throw noSuch("charge", match[1]!);
      return charge;
    },
  ],
  [
    "GET",
    /^\/v1\/charges$/,
    (engine, request) =>
      listOf(
        Object.values(engine.store.state.charges),
        request,
        (charge) =>
          !str(request.params.payment_intent) || charge.payment_intent === request.params.payment_intent,
      ),
  ],
  [
    "POST",
    /^\/v1\/refunds$/,
    (engine, { params }) => {
      const amount = int(params.amount);
      if (amount !== undefined && !Number.isInteger(amount))
        throw invalid("Invalid integer", "amount", "parameter_invalid_integer");
      return engine.createRefund({
        paymentIntent: str(params.payment_intent),
        charge: str(params.charge),
        amount,
        metadata: metadataOf(params.metadata),
        reason: str(params.reason),
      });
    },
  ],
  [
    "GET",
    /^\/v1\/refunds$/,
    (engine, request) =>
      listOf(
        Object.values(engine.store.state.refunds),
        request,
        (refund) =>
          (!str(request.params.payment_intent) || refund.payment_intent === request.params.payment_intent) &&
          (!str(request.params.charge) || refund.charge === request.params.charge),
      ),
  ],
  [
    "GET",
    /^\/v1\/refunds\/([^/]+)$/,
    (engine, _request, match) => {
      const refund = engine.store.state.refunds[match[1]!];
      if (!refund) throw noSuch("refund", match[1]!);
      return refund;
    },
  ],
  [
    "POST",
    /^\/v1\/accounts$/,
    (engine, { params }) =>
      engine.createAccount({
        email: str(params.email),
        country: str(params.country),
        metadata: metadataOf(params.metadata),
      }),
  ],
  [
    "GET",
    /^\/v1\/accounts\/([^/]+)$/,
    (engine, _request, match) => {
      const account = engine.store.state.accounts[match[1]!];
      if (!account) throw noSuch("account", match[1]!);
      return account;
    },
  ],
  [
    "POST",
    /^\/v1\/transfers$/,
    (engine, { params }) => {
      const destination = str(params.destination);
      if (!destination) throw missing("destination");
      return engine.createTransfer({
        amount: requireInt(params, "amount"),
        currency: currencyParam(params),
        destination,
        transferGroup: str(params.transfer_group),
        metadata: metadataOf(params.metadata),
      });
    },
  ],
  [
    "GET",
    /^\/v1\/transfers$/,
    (engine, request) =>
      listOf(
        Object.values(engine.store.state.transfers),
        request,
        (transfer) =>
          (!str(request.params.destination) || transfer.destination === request.params.destination) &&
          (!str(request.params.transfer_group) || transfer.transfer_group === request.params.transfer_group),
      ),
  ],
  [
    "GET",
    /^\/v1\/transfers\/([^/]+)$/,
    (engine, _request, match) => {
      const transfer = engine.store.state.transfers[match[1]!];
      if (!transfer) throw noSuch("transfer", match[1]!);
      return transfer;
    },
  ],
  [
    "POST",
    /^\/v1\/transfers\/([^/]+)\/reversals$/,
    (engine, { params }, match) => {
      const amount = int(params.amount);
      return engine.reverseTransfer(match[1]!, { amount, metadata: metadataOf(params.metadata) });
    },
  ],
  [
    "POST",
    /^\/v1\/payouts$/,
    (engine, { params }) =>
      engine.createPayout({
        amount: requireInt(params, "amount"),
        currency: currencyParam(params),
        metadata: metadataOf(params.metadata),
        destination: str(params.destination),
      }),
  ],
  ["GET", /^\/v1\/payouts$/, (engine, request) => listOf(Object.values(engine.store.state.payouts), request)],
  [
    "GET",
    /^\/v1\/payouts\/([^/]+)$/,
    (engine, _request, match) => {
      const payout = engine.store.state.payouts[match[1]!];
      if (!payout) throw noSuch("payout", match[1]!);
      return payout;
    },
  ],
  ["GET", /^\/v1\/balance$/, (engine) => engine.balances.balance()],
  [
    "GET",
    /^\/v1\/balance_transactions$/,
    (engine, request) =>
      listOf(
        Object.values(engine.store.state.balanceTransactions),
        request,
        (txn) =>
          (!str(request.params.type) || txn.type === request.params.type) &&
          (!str(request.params.source) || txn.source === request.params.source),
      ),
  ],
  [
    "GET",
    /^\/v1\/balance_transactions\/([^/]+)$/,
    (engine, _request, match) => {
      const txn = engine.store.state.balanceTransactions[match[1]!];
      if (!txn) throw noSuch("balance_transaction", match[1]!);
      return txn;
    },
  ],
  [
    "GET",
    /^\/v1\/events$/,
    (engine, request) =>
      listOf(
        Object.values(engine.store.state.events),
        request,
        (event) => !str(request.params.type) || event.type === request.params.type,
      ),
  ],
  [
    "GET",
    /^\/v1\/events\/([^/]+)$/,
    (engine, _request, match) => {
      const event = engine.store.state.events[match[1]!];
      if (!event) throw noSuch("event", match[1]!);
      return event;
    },
  ],
];

/** Stripe's `expand[]`: replaces an id field (dotted path, `data.` for lists) with its object. */
function expand(engine: Engine, value: unknown, path: string[]): unknown {
  if (!value || typeof value !== "object" || path.length === 0) return value;
  const [head, ...rest] = path;
  const object = { ...(value as Record<string, unknown>) };
  if (head === "data" && Array.isArray(object.data)) {
    object.data = object.data.map((item) => expand(engine, item, rest));
    return object;
  }
  const field = object[head!];
  object[head!] =
    typeof field === "string"
      ? expand(engine, lookup(engine, field) ?? field, rest)
      : expand(engine, field, rest);
  return object;
}

function lookup(engine: Engine, id: string): unknown {
  const s = engine.store.state;
  const collections: [string, Record<string, unknown>][] = [
    ["pi_", s.intents],
    ["ch_", s.charges],
    ["re_", s.refunds],
    ["txn_", s.balanceTransactions],
    ["tr_", s.transfers],
    ["acct_", s.accounts],
    ["po_", s.payouts],
    ["cs_", s.sessions],
  ];
  return collections.find(([prefix]) => id.startsWith(prefix))?.[1][id];
}

export function handleApi(engine: Engine, request: ApiRequest): { status: number; body: unknown } {
  for (const [method, pattern, handler] of routes) {
    const match = request.path.match(pattern);
    if (!match || method !== request.method) continue;
    try {
      const body = list(request.params.expand).reduce<unknown>(
        (result, path) => (typeof path === "string" ? expand(engine, result, path.split(".")) : result),
        handler(engine, request, match),
      );
      return { status: 200, body };
    } catch (error) {
      if (error instanceof StripeError) return { status: error.status, body: error.body() };
      throw error;
    }
  }
  return {
    status: 404,
    body: {
      error: {
        type: "invalid_request_error",
        message: `Unrecognized request URL (${request.method}: ${request.path}).`,
      },
    },
  };
}
