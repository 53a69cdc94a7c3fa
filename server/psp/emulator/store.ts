// The emulator's state: Stripe objects by id, in memory, optionally persisted to a JSON snapshot
// plus a journal of events and idempotency records, so a restarted emulator remembers everything
// (as the real PSP would).
import { randomBytes } from "node:crypto";
import {
  appendFileSync,
  existsSync,
  mkdirSync,
  readFileSync,
  renameSync,
  rmSync,
  truncateSync,
  writeFileSync,
} from "node:fs";
import path from "node:path";
import type Stripe from "stripe";

export interface IdempotencyRecord {
  method: string;
  path: string;
  paramsHash: string;
  status: number;
  body: string;
}

/** Emulator-only facts kept beside Stripe's objects. */
export interface SessionExtras {
  card?: string;
  awaitingAuthentication?: boolean;
}

export interface WebhookEndpoint {
  url: string;
  secret: string;
  /** Stripe's `enabled_events`: the event types sent to it; absent or `*`, every type. */
  enabledEvents?: readonly string[];
}

/** Whether an endpoint is subscribed to events of `type`. */
export const subscribesTo = (endpoint: WebhookEndpoint, type: string) =>
  !endpoint.enabledEvents || endpoint.enabledEvents.some((enabled) => enabled === "*" || enabled === type);

export interface State {
  sessions: Record<string, Stripe.Checkout.Session>;
  sessionExtras: Record<string, SessionExtras>;
  lineItems: Record<string, Stripe.LineItem[]>;
  /** `payment_intent_data` of each session, applied when its intent is created */
  sessionIntentParams: Record<string, { metadata: Record<string, string>; transfer_group: string | null }>;
  intents: Record<string, Stripe.PaymentIntent>;
  charges: Record<string, Stripe.Charge>;
  refunds: Record<string, Stripe.Refund>;
  /** refunds that will fail later (test card 4000 0000 0000 5126) */
  failingRefunds: string[];
  accounts: Record<string, Stripe.Account>;
  transfers: Record<string, Stripe.Transfer>;
  reversals: Record<string, Stripe.TransferReversal>;
  payouts: Record<string, Stripe.Payout>;
  balanceTransactions: Record<string, Stripe.BalanceTransaction>;
  events: Record<string, Stripe.Event>;
  idempotency: Record<string, IdempotencyRecord>;
  webhookEndpoints: WebhookEndpoint[];
  clockOffsetSeconds: number;
  sequence: number;
}

export function emptyState(): State {
  return {
    sessions: {},
    sessionExtras: {},
    lineItems: {},
    sessionIntentParams: {},
    intents: {},
    charges: {},
    refunds: {},
    failingRefunds: [],
    accounts: {},
    transfers: {},
    reversals: {},
    payouts: {},
    balanceTransactions: {},
    events: {},
    idempotency: {},
    webhookEndpoints: [],
    clockOffsetSeconds: 0,
    sequence: 0,
  };
}

/**
 * Collections whose entries are written once and never changed: they go to an append-only journal
 * beside the snapshot instead of into it, so a save costs what changed rather than everything.
 */
const APPEND_ONLY = ["events", "idempotency"] as const;
type AppendOnly = (typeof APPEND_ONLY)[number];

// Random id suffixes drawn from a pooled buffer: one randomBytes call per 455 ids instead of one
// per id (that synchronous call was ~6 % of the emulator's CPU profile under load).
const ID_RANDOM_BYTES = 9;
let randomPool = Buffer.alloc(0);
let randomOffset = 0;
function randomSuffix(): string {
  if (randomOffset + ID_RANDOM_BYTES > randomPool.length) {
    randomPool = randomBytes(4096);
    randomOffset = 0;
  }
  randomOffset += ID_RANDOM_BYTES;
  return randomPool.toString("base64url", randomOffset - ID_RANDOM_BYTES, randomOffset);
}

export class Store {
  state: State;
  private saveTimer: NodeJS.Timeout | null = null;
  private waiters: (() => void)[] = [];
  /** Entries of the append-only collections added since the last save. */
  private appended: [AppendOnly, string][] = [];
  private journalFresh = false;
  /** Bytes of the journal the last committed snapshot covers. */
  private journalBytes = 0;
  private lastSaveMs = 0;

  constructor(private readonly snapshotPath?: string) {
    const { journalBytes, ...loaded }: Partial<State> & { journalBytes?: number } =
      snapshotPath && existsSync(snapshotPath) ? JSON.parse(readFileSync(snapshotPath, "utf8")) : {};
    const state = { ...emptyState(), ...loaded };
    // A snapshot from before the journal still holds these: they move to the journal on the next save.
    for (const name of APPEND_ONLY) {
      for (const key of Object.keys(state[name])) this.appended.push([name, key]);
    }
    // Without a snapshot a journal is stale (or the first save never finished): start it afresh.
    this.journalFresh = !snapshotPath || !existsSync(snapshotPath);
    const journal = `${snapshotPath}.journal`;
    if (!this.journalFresh && existsSync(journal)) {
      const written = readFileSync(journal);
      // Lines past what the snapshot covers were appended by a save that crashed before its
      // snapshot: an idempotency record there could name an object the snapshot lacks. Dropped.
      this.journalBytes = Math.min(journalBytes ?? written.length, written.length);
      if (written.length > this.journalBytes) truncateSync(journal, this.journalBytes);
      for (const line of written.subarray(0, this.journalBytes).toString("utf8").split("\n")) {
        if (!line) continue;
        try {
          const [name, key, value] = JSON.parse(line) as [AppendOnly, string, never];
          if (APPEND_ONLY.includes(name)) state[name][key] = value;
        } catch {
          // A torn last line under a snapshot older than `journalBytes`: it was never answered.
        }
      }
    }
    this.state = this.track(state);
  }

  /** Notes every new entry of the append-only collections, whatever code adds it. */
  private track(state: State): State {
    if (!this.snapshotPath) return state;
    for (const name of APPEND_ONLY) {
      (state as unknown as Record<AppendOnly, object>)[name] = new Proxy(state[name], {
        set: (target, key, value) => {
          if (typeof key === "string" && !(key in target)) this.appended.push([name, key]);
          (target as Record<string, unknown>)[key as string] = value;
          return true;
        },
      });
    }
    return state;
  }

  /** Seconds since the epoch, as Stripe's `created` (the control API may advance the clock). */
  now(): number {
    return Math.floor(Date.now() / 1000) + this.state.clockOffsetSeconds;
  }

  /** `cs_test_…`-style ids; a sequence keeps lists in creation order within one second. */
  id(prefix: string): string {
    this.state.sequence++;
    return `${prefix}_${this.state.sequence.toString(36).padStart(6, "0")}${randomSuffix()}`;
  }

  /** Adds a webhook endpoint, replacing the one with the same URL (new secret or events). */
  setWebhookEndpoint(endpoint: WebhookEndpoint): void {
    this.state.webhookEndpoints = [
      ...this.state.webhookEndpoints.filter((existing) => existing.url !== endpoint.url),
      endpoint,
    ];
    this.changed();
  }

  changed(): void {
    if (!this.snapshotPath || this.saveTimer) return;
    // Group commit: the save waits as long as the last one took (at most 25 ms), so a small state
    // answers within a millisecond, and under load one save serves every change meanwhile while
    // saving takes at most about half of the event loop.
    this.saveTimer = setTimeout(
      () => {
        this.saveTimer = null;
        const waiting = this.waiters;
        this.waiters = [];
        this.save();
        for (const resolve of waiting) resolve();
      },
      Math.min(25, Math.ceil(this.lastSaveMs)),
    );
  }

  /**
   * Resolves once every change made so far is in the snapshot. Answers and webhooks wait for it,
   * so a kill -9 never loses what a client was told.
   */
  persisted(): Promise<void> {
    if (!this.saveTimer) return Promise.resolve();
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  /**
   * The journal first (new events and idempotency records, one JSON line each), then the rest of
   * the state as a snapshot replaced atomically, which records how many journal bytes it covers:
   * the rename commits the save. A crash before it leaves journal lines a restart drops.
   */
  save(): void {
    if (!this.snapshotPath) return;
    const started = performance.now();
    mkdirSync(path.dirname(this.snapshotPath), { recursive: true });
    const journal = `${this.snapshotPath}.journal`;
    const lines = this.appended
      .map(([name, key]) => `${JSON.stringify([name, key, this.state[name][key]])}\n`)
      .join("");
    this.appended = [];
    if (this.journalFresh) {
      writeFileSync(journal, lines);
      this.journalBytes = 0;
    } else if (lines) appendFileSync(journal, lines);
    this.journalBytes += Buffer.byteLength(lines);
    this.journalFresh = false;
    const rest: Partial<State> & { journalBytes: number } = {
      ...this.state,
      journalBytes: this.journalBytes,
    };
    for (const name of APPEND_ONLY) delete rest[name];
    const temporary = `${this.snapshotPath}.tmp`;
    writeFileSync(temporary, JSON.stringify(rest));
    renameSync(temporary, this.snapshotPath);
    this.lastSaveMs = performance.now() - started;
  }

  flush(): void {
    if (this.saveTimer) clearTimeout(this.saveTimer);
    this.saveTimer = null;
    const waiting = this.waiters;
    this.waiters = [];
    this.save();
    for (const resolve of waiting) resolve();
  }

  reset(): void {
    // Gone before the fresh journal overwrites the old one, so a crash in between restarts empty
    // (a journal without a snapshot is ignored) rather than reading new lines as old ones.
    if (this.snapshotPath) rmSync(this.snapshotPath, { force: true });
    const endpoints = this.state.webhookEndpoints;
    this.state = this.track({ ...emptyState(), webhookEndpoints: endpoints });
    this.appended = [];
    this.journalFresh = true;
    this.changed();
  }
}

interface Listable {
  id: string;
  created: number;
}

/** Stripe's list envelope with cursor pagination, newest first. */
export function paginate<T extends Listable>(
  items: T[],
  query: Record<string, unknown>,
  url: string,
): { object: "list"; data: T[]; has_more: boolean; url: string } {
  const limitText = typeof query.limit === "string" ? query.limit : "10";
  const limit = Number(limitText);
  if (!Number.isInteger(limit) || limit < 1 || limit > 100) {
    throw Object.assign(new Error("limit must be between 1 and 100"), { param: "limit" });
  }
  // Newest first; the id sequence breaks ties within one second.
  const sorted = [...items].sort((a, b) => b.created - a.created || (a.id < b.id ? 1 : -1));
  let start = 0;
  let end = sorted.length;
  if (typeof query.starting_after === "string") {
    const index = sorted.findIndex((item) => item.id === query.starting_after);
    start = index + 1;
  } else if (typeof query.ending_before === "string") {
    end = Math.max(
      0,
      sorted.findIndex((item) => item.id === query.ending_before),
    );
    start = Math.max(0, end - limit);
  }
  const data = sorted.slice(start, Math.min(end, start + limit));
  return { object: "list", data, has_more: start + limit < end, url };
}

/** Filters by Stripe's `created[gte|gt|lte|lt]` or `created=<ts>`. */
export function createdFilter(query: Record<string, unknown>): (created: number) => boolean {
  const created = query.created;
  if (typeof created === "string") return (value) => value === Number(created);
  const range = (created ?? {}) as Record<string, string>;
  return (value) =>
    (range.gte === undefined || value >= Number(range.gte)) &&
    (range.gt === undefined || value > Number(range.gt)) &&
    (range.lte === undefined || value <= Number(range.lte)) &&
    (range.lt === undefined || value < Number(range.lt));
}
