// The PSP emulator's HTTP server: Stripe's API under /v1 (Bearer sk_test_… auth, form bodies,
// Idempotency-Key semantics, injected faults), the hosted payment page under /pay, and a JSON
// control API for tests under /_emulator (also still answered under /_control, its first name,
// for the chaos harness and older callers). Loopback only.
import { createHash, randomBytes } from "node:crypto";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { handleApi } from "./api";
import { Engine } from "./engine";
import { StripeError } from "./errors";
import { REQUEST_FAULT_KINDS, type RequestFaultKind, RequestFaults } from "./faults";
import { parseForm, str } from "./form-parser";
import { authenticationPage, closedPage, paymentPage } from "./hosted-page";
import { Store, type WebhookEndpoint } from "./store";
import { WebhookDispatcher, type WebhookFaultKind } from "./webhooks";

export interface EmulatorOptions {
  port?: number;
  host?: string;
  snapshotPath?: string;
  webhookEndpoints?: WebhookEndpoint[];
  /** Delays between webhook delivery retries (tests shorten them). */
  webhookRetryDelaysMs?: number[];
}

export interface EmulatorHandle {
  url: string;
  port: number;
  engine: Engine;
  faults: RequestFaults;
  webhooks: WebhookDispatcher;
  close(): Promise<void>;
}

async function readBody(request: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString("utf8");
}

// Unique per process without a hash per response: a random prefix and a counter.
const requestIdPrefix = `req_${randomBytes(4).toString("hex")}`;
let requestCount = 0;
const requestId = () => `${requestIdPrefix}${(requestCount++).toString(36).padStart(6, "0")}`;

function send(response: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) {
  const text = typeof body === "string" ? body : JSON.stringify(body);
  response.writeHead(status, {
    "content-type":
      typeof body === "string" && text.startsWith("<!doctype")
        ? "text/html; charset=utf-8"
        : "application/json",
    "request-id": requestId(),
    ...headers,
  });
  response.end(text);
}

export async function startPspEmulator(options: EmulatorOptions = {}): Promise<EmulatorHandle> {
  const store = new Store(options.snapshotPath);
  // The configured endpoints win over the snapshot's with the same URL.
  for (const endpoint of options.webhookEndpoints ?? []) store.setWebhookEndpoint(endpoint);
  const webhooks = new WebhookDispatcher(store, options.webhookRetryDelaysMs);
  const engine = new Engine(store, webhooks);
  const faults = new RequestFaults();
  const inFlight = new Set<string>();
  let latencyMs = 0;
  /** Answers only once the state the answer reflects is durable (see Store.persisted). */
  const reply = (...args: Parameters<typeof send>) => store.persisted().then(() => send(...args));
  let baseUrl = "";

  async function api(request: IncomingMessage, response: ServerResponse, path: string, query: string) {
    const auth = request.headers.authorization ?? "";
    const key = /^Bearer (sk_test_\w+)$/.exec(auth)?.[1];
    if (!key) {
      const message = auth
        ? `Invalid API Key provided: ${auth.replace(/^Bearer /, "").slice(0, 12)}***`
        : "You did not provide an API key. You need to provide your API key in the Authorization header, using Bearer auth.";
      return send(
        response,
        401,
        { error: { type: "invalid_request_error", message, code: auth ? "api_key_invalid" : undefined } },
        {
          "www-authenticate": 'Bearer realm="Stripe"',
        },
      );
    }
    const method = request.method ?? "GET";
    const raw = method === "GET" ? query : await readBody(request);
    const taken = faults.take(method, path);
    const fault = taken?.kind ?? null;
    if (fault === "connection_reset") {
      // A TCP RST and no response: the client sees ECONNRESET (the SDK a StripeConnectionError).
      request.socket.resetAndDestroy();
      return;
    }
    if (fault === "error500") {
      return reply(response, 500, {
        error: { type: "api_error", message: "An unknown error occurred (injected by the emulator)." },
      });
    }
    if (fault === "error429") {
      return send(
        response,
        429,
        {
          error: {
            type: "invalid_request_error",
            code: "rate_limit",
            message: "Too many requests hit the API too quickly.",
          },
        },
        {
          "retry-after": "1",
        },
      );
    }
    if (fault === "timeout_before_effect") {
      setTimeout(() => response.destroy(), 60_000).unref();
      return;
    }

    const idempotencyKey = method === "POST" ? request.headers["idempotency-key"] : undefined;
    const recordKey = typeof idempotencyKey === "string" ? `${key}:${idempotencyKey}` : null;
    // Only idempotent requests need the hash of their parameters.
    const paramsHash = recordKey ? createHash("sha256").update(raw).digest("hex") : "";
    if (recordKey) {
      const previous = store.state.idempotency[recordKey];
      if (previous) {
        if (previous.method !== method || previous.path !== path) {
          return reply(response, 400, {
            error: {
              type: "idempotency_error",
              message: `Keys for idempotent requests can only be used for the same endpoint they were first used for ('${previous.method} ${previous.path}' vs '${method} ${path}'). Try using a key other than '${idempotencyKey}' if you meant to execute a different request.`,
            },
          });
        }
        if (previous.paramsHash !== paramsHash) {
          return reply(response, 400, {
            error: {
              type: "idempotency_error",
              message: `Keys for idempotent requests can only be used with the same parameters they were first used with. Try using a key other than '${idempotencyKey}' if you meant to execute a different request.`,
            },
          });
        }
        return reply(response, previous.status, previous.body, {
          "idempotent-replayed": "true",
          "idempotency-key": String(idempotencyKey),
        });
      }
      if (inFlight.has(recordKey)) {
        return reply(response, 409, {
          error: {
            type: "idempotency_error",
            message: `There is currently another in-progress request using this Idempotent Key (that probably means you submitted twice, and the other request is still going through): ${idempotencyKey}. Please try again later.`,
          },
        });
      }
      inFlight.add(recordKey);
    }
    try {
      const wait = latencyMs + (fault === "delay" ? taken!.delayMs : 0);
      if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
      // Funds whose `available_on` has passed (the clock may have been advanced) are available.
      engine.balances.settle();
      const result = handleApi(engine, { method, path, params: parseForm(raw), baseUrl });
      const body = JSON.stringify(result.body);
      if (recordKey) {
        store.state.idempotency[recordKey] = { method, path, paramsHash, status: result.status, body };
        store.changed();
      }
      if (fault === "timeout_after_effect") {
        // The operation took effect; the caller never hears about it.
        setTimeout(() => response.destroy(), 60_000).unref();
        return;
      }
      reply(response, result.status, body, recordKey ? { "idempotency-key": String(idempotencyKey) } : {});
    } finally {
      if (recordKey) inFlight.delete(recordKey);
    }
  }

  async function hostedPage(request: IncomingMessage, response: ServerResponse, path: string) {
    const match = /^\/pay\/([^/]+)(\/authenticate)?$/.exec(path);
    const session = match ? store.state.sessions[match[1]!] : undefined;
    if (!match || !session) return reply(response, 404, "<!doctype html><p>No such payment page.</p>");
    const view = engine.session(session.id);
    if (view.status !== "open") {
      if (view.status === "complete") return reply(response, 303, "", { location: view.success_url ?? "/" });
      return reply(response, 200, closedPage(view));
    }
    const lines = store.state.lineItems[session.id] ?? [];
    if (request.method === "GET") return reply(response, 200, paymentPage(view, lines));
    const form = parseForm(await readBody(request));
    let result: ReturnType<Engine["completeSession"]>;
    if (match[2]) {
      const card = store.state.sessionExtras[session.id]?.card;
      if (!card) return reply(response, 200, paymentPage(view, lines));
      result = engine.completeSession(session.id, card, str(form.result) === "complete");
    } else {
      result = engine.completeSession(session.id, str(form.card) ?? "", undefined);
    }
    if (result.status === "paid") return reply(response, 303, "", { location: view.success_url ?? "/" });
    if (result.status === "authenticate") return reply(response, 200, authenticationPage(view));
    return reply(response, 200, paymentPage(view, lines, result.message));
  }

  async function control(request: IncomingMessage, response: ServerResponse, fullPath: string) {
    const body = request.method === "POST" ? await readBody(request) : "";
    const input = (body ? JSON.parse(body) : {}) as Record<string, unknown>;
    // `/_control/x` is the old name of `/_emulator/x`.
    const path = fullPath.replace(/^\/_(?:emulator|control)\//, "/");
    const complete = /^\/checkout_sessions\/([^/]+)\/complete$/.exec(path);
    const payoutOutcome = /^\/payouts\/([^/]+)\/(paid|failed)$/.exec(path);
    const refundFail = /^\/refunds\/([^/]+)\/fail$/.exec(path);
    const reverse = /^\/transfers\/([^/]+)\/reverse$/.exec(path);
    const failTransfers = /^\/accounts\/([^/]+)\/fail_transfers$/.exec(path);
    const replay = /^\/events\/([^/]+)\/replay$/.exec(path);
    if (path === "/state") {
      const s = store.state;
      return reply(response, 200, {
        sessions: Object.keys(s.sessions).length,
        charges: Object.values(s.charges).filter((charge) => charge.status === "succeeded").length,
        refunds: Object.keys(s.refunds).length,
        transfers: Object.keys(s.transfers).length,
        payouts: Object.keys(s.payouts).length,
        events: Object.keys(s.events).length,
        webhooksDelivered: webhooks.delivered,
        pendingFaults: faults.pending,
      });
    }
    if (path === "/webhook_endpoints") {
      const enabled = input.enabled_events;
      store.setWebhookEndpoint({
        url: String(input.url),
        secret: String(input.secret),
        ...(Array.isArray(enabled) ? { enabledEvents: enabled.map(String) } : {}),
      });
      return reply(response, 200, { ok: true });
    }
    if (complete) {
      const match = complete;
      const authenticate = typeof input.authenticate === "boolean" ? input.authenticate : undefined;
      let result = engine.completeSession(match[1]!, String(input.card ?? "4242424242424242"), authenticate);
      if (result.status === "authenticate")
        result = engine.completeSession(match[1]!, String(input.card), true);
      return reply(response, 200, result);
    }
    if (payoutOutcome) {
      const match = payoutOutcome;
      return send(
        response,
        200,
        engine.settlePayout(
          match[1]!,
          match[2] as "paid" | "failed",
          input.failure_code as string | undefined,
        ),
      );
    }
    if (refundFail) {
      const match = refundFail;
      engine.failRefund(match[1]!);
      return reply(response, 200, store.state.refunds[match[1]!] ?? null);
    }
    if (reverse) {
      const match = reverse;
      return send(
        response,
        200,
        engine.reverseTransfer(match[1]!, { amount: input.amount as number | undefined, metadata: {} }),
      );
    }
    if (failTransfers) {
      const match = failTransfers;
      const account = store.state.accounts[match[1]!];
      if (!account) return reply(response, 404, { error: "no such account" });
      account.payouts_enabled = input.fail === false;
      store.changed();
      return reply(response, 200, account);
    }
    if (path === "/balance/settle") {
      // Settles every pending balance transaction now, whatever its `available_on`.
      const settled = engine.balances.settle(true);
      return reply(response, 200, { settled, balance: engine.balances.balance() });
    }
    if (replay) {
      const event = store.state.events[replay[1]!];
      if (!event) return reply(response, 404, { error: `no such event ${replay[1]}` });
      return reply(response, 200, { ok: true, event: event.id, endpoints: webhooks.redeliver(event) });
    }
    if (path === "/faults") {
      const kind = String(input.kind);
      // `delay` of a request names its path or method (or target: "request"); without them it
      // delays webhooks, as it always did.
      const requestDelay =
        kind === "delay" &&
        (input.target === "request" || input.path !== undefined || input.method !== undefined);
      if (["drop", "duplicate", "reorder", "delay"].includes(kind) && !requestDelay) {
        webhooks.faults.push({
          kind: kind as WebhookFaultKind,
          remaining: Number(input.count ?? 1),
          delayMs: input.delayMs as number | undefined,
        });
      } else if (REQUEST_FAULT_KINDS.includes(kind as RequestFaultKind)) {
        faults.add({
          path: input.path as string | undefined,
          method: input.method as string | undefined,
          kind: kind as RequestFaultKind,
          count: Number(input.count ?? 1),
          delayMs: input.delayMs as number | undefined,
        });
      } else {
        return reply(response, 400, { error: `unknown fault kind ${kind}` });
      }
      return reply(response, 200, { ok: true });
    }
    if (path === "/faults/clear") {
      faults.clear();
      webhooks.faults = [];
      return reply(response, 200, { ok: true });
    }
    if (path === "/latency") {
      latencyMs = Number(input.ms ?? 0);
      return reply(response, 200, { ok: true });
    }
    if (path === "/clock") {
      store.state.clockOffsetSeconds += Number(input.advanceSeconds ?? 0);
      store.changed();
      engine.balances.settle();
      return reply(response, 200, { now: store.now() });
    }
    if (path === "/reset") {
      store.reset();
      engine.balances.rebuild();
      faults.clear();
      return reply(response, 200, { ok: true });
    }
    return reply(response, 404, { error: `unknown control path ${fullPath}` });
  }

  const server = createServer((request, response) => {
    // Split by hand: no WHATWG URL object per request on the hot path.
    const target = request.url ?? "/";
    const queryAt = target.indexOf("?");
    const path = queryAt < 0 ? target : target.slice(0, queryAt);
    const query = queryAt < 0 ? "" : target.slice(queryAt + 1);
    const route = path.startsWith("/v1/")
      ? api(request, response, path, query)
      : path.startsWith("/pay/")
        ? hostedPage(request, response, path)
        : path.startsWith("/_emulator/") || path.startsWith("/_control/")
          ? control(request, response, path)
          : Promise.resolve(
              reply(response, 404, {
                error: { type: "invalid_request_error", message: "Unrecognized request URL." },
              }),
            );
    route.catch((error: unknown) => {
      const status = error instanceof StripeError ? error.status : 500;
      const body =
        error instanceof StripeError
          ? error.body()
          : { error: { type: "api_error", message: (error as Error).message } };
      if (!response.headersSent) reply(response, status, body);
    });
  });
  await new Promise<void>((resolve) =>
    server.listen(options.port ?? 12111, options.host ?? "127.0.0.1", resolve),
  );
  const port = (server.address() as AddressInfo).port;
  baseUrl = `http://${options.host ?? "127.0.0.1"}:${port}`;
  return {
    url: baseUrl,
    port,
    engine,
    faults,
    webhooks,
    async close() {
      webhooks.close();
      store.flush();
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}
