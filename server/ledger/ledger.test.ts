import { beforeAll, describe, expect, it } from "vitest";
import { createTestDatabase } from "@/server/test/database";
import { createUser } from "@/server/test/factories";
import { accountBalance, refreshBalanceCheckpoints } from "./balances";
import { checkLedgerInvariants } from "./invariants";
import { ensureSellerAccounts, postTransaction } from "./post-transaction";
import { accountStatement, trialBalance } from "./queries";

const { db, sql } = await createTestDatabase();
let sellerId: string;

beforeAll(async () => {
  sellerId = (await createUser(db, "SELLER")).seller!.id;
  await ensureSellerAccounts(db, sellerId, "usd");
});

const payin = (reference: string, amount: bigint, commission: bigint) => ({
  kind: "payin",
  reference,
  currency: "usd",
  entries: [
    { account: "psp_clearing", direction: "DEBIT" as const, amount },
    { account: `seller_pending:${sellerId}`, direction: "CREDIT" as const, amount: amount - commission },
    { account: "commission_revenue", direction: "CREDIT" as const, amount: commission },
  ],
});

describe("postTransaction", () => {
  it("posts a balanced transaction and moves the wallet with it", async () => {
    const posted = await db.$transaction((tx) => postTransaction(tx, payin("order-1", 10_000n, 1_000n))); // $100, 10 %
    expect(posted.replayed).toBe(false);
    const wallet = await db.wallet.findUniqueOrThrow({
      where: { sellerId_currency: { sellerId, currency: "usd" } },
    });
    expect(wallet.pending).toBe(9_000n); // $90.00
    expect(await accountBalance(db, "psp_clearing")).toBe(10_000n);
    expect(await accountBalance(db, "commission_revenue")).toBe(1_000n);
  });

  it("returns the first transaction when the same event is posted again", async () => {
    const first = await db.$transaction((tx) => postTransaction(tx, payin("order-2", 5_000n, 500n)));
    const again = await db.$transaction((tx) => postTransaction(tx, payin("order-2", 5_000n, 500n)));
    expect(again).toEqual({ ...first, replayed: true });
    expect(await db.ledgerTransaction.count({ where: { reference: "order-2" } })).toBe(1);
  });

  it("refuses the same key with different entries as a conflict", async () => {
    await expect(
      db.$transaction((tx) => postTransaction(tx, payin("order-2", 5_001n, 500n))),
    ).rejects.toMatchObject({
      name: "LedgerConflictError",
      code: "CONFLICT",
    });
  });

  it("rejects unknown accounts, zero and negative amounts, unbalanced and one-sided input", async () => {
    const bad = [
      {
        ...payin("x1", 100n, 10n),
        entries: [
          ...payin("x1", 100n, 10n).entries.slice(0, 2),
          { account: "nope", direction: "CREDIT" as const, amount: 10n },
        ],
      },
      {
        ...payin("x2", 100n, 0n),
        entries: [
          { account: "psp_clearing", direction: "DEBIT" as const, amount: 0n },
          { account: "commission_revenue", direction: "CREDIT" as const, amount: 0n },
        ],
      },
      {
        ...payin("x3", 100n, 10n),
        entries: [
          { account: "psp_clearing", direction: "DEBIT" as const, amount: -5n },
          { account: "commission_revenue", direction: "CREDIT" as const, amount: -5n },
        ],
      },
      {
        ...payin("x4", 100n, 10n),
        entries: [
          { account: "psp_clearing", direction: "DEBIT" as const, amount: 5n },
          { account: "commission_revenue", direction: "CREDIT" as const, amount: 4n },
        ],
      },
      {
        ...payin("x5", 100n, 10n),
        entries: [{ account: "psp_clearing", direction: "DEBIT" as const, amount: 5n }],
      },
    ];
    for (const input of bad) {
      await expect(db.$transaction((tx) => postTransaction(tx, input))).rejects.toMatchObject({
        code: expect.stringMatching(/BAD_REQUEST/),
      });
    }
    expect(await db.ledgerTransaction.count({ where: { reference: { startsWith: "x" } } })).toBe(0);
  });

  it("refuses to take a wallet below zero", async () => {
    const overdraw = {
      kind: "refund",
      reference: "too-much",
      currency: "usd",
      entries: [
        { account: `seller_available:${sellerId}`, direction: "DEBIT" as const, amount: 1n },
        { account: "psp_clearing", direction: "CREDIT" as const, amount: 1n },
      ],
    };
    await expect(db.$transaction((tx) => postTransaction(tx, overdraw))).rejects.toMatchObject({
      name: "InsufficientFundsError",
    });
  });
});

describe("the database enforces the rules", () => {
  it("rejects an unbalanced transaction at commit", async () => {
    const client = await sql.connect();
    try {
      await client.query("BEGIN");
      const { rows } = await client.query(
        `INSERT INTO ledger_transaction (kind, reference, currency, input_hash) VALUES ('raw', 'r1', 'usd', 'x') RETURNING id`,
      );
      await client.query(
        `INSERT INTO ledger_entry (transaction_id, account_id, direction, amount)
         SELECT $1::bigint, id, 'DEBIT'::"EntryDirection", 100 FROM ledger_account WHERE code = 'psp_clearing'
         UNION ALL SELECT $1::bigint, id, 'CREDIT'::"EntryDirection", 99 FROM ledger_account WHERE code = 'commission_revenue'`,
        [rows[0].id],
      );
      await expect(client.query("COMMIT")).rejects.toThrow(/unbalanced/);
    } finally {
      await client.query("ROLLBACK").catch(() => {});
      client.release();
    }
  });

  it("rejects a transaction with one entry, and one with none", async () => {
    await expect(
      sql.query(`WITH t AS (INSERT INTO ledger_transaction (kind, reference, currency, input_hash) VALUES ('raw', 'r2', 'usd', 'x') RETURNING id)
                 INSERT INTO ledger_entry (transaction_id, account_id, direction, amount)
                 SELECT t.id, a.id, 'DEBIT', 5 FROM t, ledger_account a WHERE a.code = 'psp_clearing'`),
    ).rejects.toThrow(/at least 2/);
    await expect(
      sql.query(
        `INSERT INTO ledger_transaction (kind, reference, currency, input_hash) VALUES ('raw', 'r3', 'usd', 'x')`,
      ),
    ).rejects.toThrow(/no entries/);
  });

  it("rejects zero amounts, edits, deletions and truncation of entries", async () => {
    await expect(sql.query(`UPDATE ledger_entry SET amount = amount + 1`)).rejects.toThrow(/append-only/);
    await expect(sql.query(`DELETE FROM ledger_entry`)).rejects.toThrow(/append-only/);
    await expect(sql.query(`UPDATE ledger_transaction SET description = 'x'`)).rejects.toThrow(/append-only/);
    await expect(sql.query(`TRUNCATE ledger_entry CASCADE`)).rejects.toThrow(/append-only/);
    await expect(
      sql.query(
        `INSERT INTO ledger_entry (transaction_id, account_id, direction, amount) SELECT id, 1, 'DEBIT', 0 FROM ledger_transaction LIMIT 1`,
      ),
    ).rejects.toThrow(/ledger_entry_amount_positive/);
  });

  it("rejects a negative wallet", async () => {
    await expect(sql.query(`UPDATE wallet SET available = -1`)).rejects.toThrow(
      /wallet_available_not_negative/,
    );
  });
});

describe("concurrency", () => {
  it("loses no update on one hot seller and the hot system accounts, and deadlocks nowhere", async () => {
    const before = await db.wallet.findUniqueOrThrow({
      where: { sellerId_currency: { sellerId, currency: "usd" } },
    });
    await Promise.all(
      Array.from({ length: 40 }, (_, index) =>
        db.$transaction((tx) => postTransaction(tx, payin(`hot-${index}`, 1_000n, 100n))),
      ),
    );
    const after = await db.wallet.findUniqueOrThrow({
      where: { sellerId_currency: { sellerId, currency: "usd" } },
    });
    expect(after.pending - before.pending).toBe(40n * 900n);
    expect((await checkLedgerInvariants(db)).ok).toBe(true);
  });

  it("posts one transaction when two processes post the same event at once", async () => {
    const results = await Promise.all(
      Array.from({ length: 8 }, () =>
        db.$transaction((tx) => postTransaction(tx, payin("same-event", 700n, 70n))),
      ),
    );
    expect(new Set(results.map((result) => result.id)).size).toBe(1);
    expect(results.filter((result) => !result.replayed)).toHaveLength(1);
  });
});

describe("read side", () => {
  it("gives a statement with a running balance across keyset pages", async () => {
    const code = `seller_pending:${sellerId}`;
    const first = await accountStatement(db, code, { limit: 2 });
    const second = await accountStatement(db, code, { afterEntryId: first.nextCursor, limit: 2 });
    expect(first.lines).toHaveLength(2);
    expect(second.lines[0]!.balance).toBe(first.lines[1]!.balance + second.lines[0]!.change);
    expect(first.lines[0]!.balance).toBe(9_000n);
  });

  it("keeps the trial balance at zero and balances stable across a checkpoint", async () => {
    const trial = await trialBalance(db);
    expect(trial.balanced).toBe(true);
    const before = await accountBalance(db, "psp_clearing");
    await refreshBalanceCheckpoints(db);
    await db.$executeRawUnsafe(
      `INSERT INTO ledger_checkpoint (account_id, sealed_before, debits, credits)
       SELECT a.id, now() + interval '1 hour', coalesce(sum(e.amount) FILTER (WHERE e.direction = 'DEBIT'), 0),
              coalesce(sum(e.amount) FILTER (WHERE e.direction = 'CREDIT'), 0)
         FROM ledger_account a LEFT JOIN ledger_entry e ON e.account_id = a.id GROUP BY a.id
       ON CONFLICT (account_id) DO UPDATE SET sealed_before = excluded.sealed_before, debits = excluded.debits, credits = excluded.credits`,
    );
    expect(await accountBalance(db, "psp_clearing")).toBe(before);
  });

  it("never seals a checkpoint over a posting still in flight", async () => {
    const client = await sql.connect();
    try {
      await client.query("BEGIN");
      await client.query("SELECT 1"); // the transaction is open from here on
      const horizon = await refreshBalanceCheckpoints(db);
      const { rows } = await client.query("SELECT now() AS started");
      expect(horizon.getTime()).toBeLessThanOrEqual(new Date(rows[0].started).getTime());
      await client.query("ROLLBACK");
    } finally {
      client.release();
    }
  });
});
