// The account balance: running sums of pending and available funds per currency, and a queue of
// pending balance transactions ordered by `available_on`, so neither GET /v1/balance nor settling
// what is due scans every balance transaction. Derived from the state, never persisted.
import type Stripe from "stripe";
import type { Store } from "./store";

type Sums = Map<string, number>;

function addTo(sums: Sums, currency: string, amount: number) {
  sums.set(currency, (sums.get(currency) ?? 0) + amount);
}

export class Balances {
  private available: Sums = new Map();
  private pending: Sums = new Map();
  /** pending transactions by `available_on`, oldest first, from `head` on */
  private queue: Stripe.BalanceTransaction[] = [];
  private head = 0;

  constructor(private readonly store: Store) {
    this.rebuild();
  }

  /** Recomputes everything from the state (at start-up and after a reset). */
  rebuild(): void {
    this.available = new Map();
    this.pending = new Map();
    this.queue = [];
    this.head = 0;
    for (const txn of Object.values(this.store.state.balanceTransactions)) this.track(txn);
  }

  /** Counts a new balance transaction. */
  track(txn: Stripe.BalanceTransaction): void {
    if (txn.status === "available") {
      addTo(this.available, txn.currency, txn.net);
      return;
    }
    addTo(this.pending, txn.currency, txn.net);
    // New transactions nearly always sort last, so this is a push.
    let index = this.queue.length;
    while (index > this.head && this.queue[index - 1]!.available_on > txn.available_on) index--;
    this.queue.splice(index, 0, txn);
  }

  /** Makes pending transactions available: those due by the clock, or all of them. */
  settle(all = false): number {
    const now = this.store.now();
    let settled = 0;
    while (this.head < this.queue.length && (all || this.queue[this.head]!.available_on <= now)) {
      const txn = this.queue[this.head++]!;
      // `available_on` records when the funds became available when that is earlier than planned.
      if (txn.available_on > now) txn.available_on = now;
      txn.status = "available";
      addTo(this.pending, txn.currency, -txn.net);
      addTo(this.available, txn.currency, txn.net);
      settled++;
    }
    if (this.head > 1024 && this.head * 2 > this.queue.length) {
      this.queue = this.queue.slice(this.head);
      this.head = 0;
    }
    if (settled > 0) this.store.changed();
    return settled;
  }

  /** Stripe's Balance object (card funds only). */
  balance(): Stripe.Balance {
    const amounts = (sums: Sums) =>
      [...sums].map(([currency, amount]) => ({ amount, currency, source_types: { card: amount } }));
    const currencies = new Set([...this.available.keys(), ...this.pending.keys()]);
    if (currencies.size === 0) currencies.add("usd");
    for (const currency of currencies) {
      if (!this.available.has(currency)) this.available.set(currency, 0);
      if (!this.pending.has(currency)) this.pending.set(currency, 0);
    }
    return {
      object: "balance",
      available: amounts(this.available),
      pending: amounts(this.pending),
      livemode: false,
    } as unknown as Stripe.Balance;
  }
}
