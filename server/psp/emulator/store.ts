// The emulator's state: Stripe objects by id, in memory, optionally persisted to a JSON snapshot
// so a restarted emulator remembers everything (as the real PSP would).
import { randomBytes } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
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
  webhookEndpoints: { url: string; secret: string }[];
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

export class Store {
  state: State;
  private saveTimer: NodeJS.Timeout | null = null;
  private waiters: (() => void)[] = [];

  constructor(private readonly snapshotPath?: string) {
    this.state =
      snapshotPath && existsSync(snapshotPath)
        ? { ...emptyState(), ...JSON.parse(readFileSync(snapshotPath, "utf8")) }
        : emptyState();
  }

  /** Seconds since the epoch, as Stripe's `created` (the control API may advance the clock). */
  now(): number {
    return Math.floor(Date.now() / 1000) + this.state.clockOffsetSeconds;
  }

  /** `cs_test_…`-style ids; a sequence keeps lists in creation order within one second. */
  id(prefix: string): string {
    this.state.sequence++;
    return `${prefix}_${this.state.sequence.toString(36).padStart(6, "0")}${randomBytes(9).toString("base64url")}`;
  }

  changed(): void {
    if (!this.snapshotPath || this.saveTimer) return;
    this.saveTimer = setTimeout(() => {
      this.saveTimer = null;
      const waiting = this.waiters;
      this.waiters = [];
      this.save();
      for (const resolve of waiting) resolve();
    }, 25);
  }

  /**
   * Resolves once every change made so far is in the snapshot. Answers and webhooks wait for it,
   * so a kill -9 never loses what a client was told (one write serves all requests of 25 ms).
   */
  persisted(): Promise<void> {
    if (!this.saveTimer) return Promise.resolve();
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  save(): void {
    if (!this.snapshotPath) return;
    mkdirSync(path.dirname(this.snapshotPath), { recursive: true });
    const temporary = `${this.snapshotPath}.tmp`;
    writeFileSync(temporary, JSON.stringify(this.state));
    renameSync(temporary, this.snapshotPath);
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
    const endpoints = this.state.webhookEndpoints;
    this.state = { ...emptyState(), webhookEndpoints: endpoints };
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
