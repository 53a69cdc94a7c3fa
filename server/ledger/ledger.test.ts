import { beforeAll, describe, expect, it } from "vitest";
import { createTestDatabase } from "@/server/test/database";
import { createUser } from "@/server/test/factories";
import { accountBalance, accountBalances, refreshBalanceCheckpoints } from "./balances";
import { checkLedgerInvariants } from "./invariants";
import {
  ensureSellerAccounts,
  postTransaction,
  postTransactions,
  type TransactionInput,
} from "./post-transaction";
import {
  accountStatement,
  periodTotals,
  statementLines,
  transactionWithEntries,
  trialBalance,
} from "./queries";

const { db, sql } = await createTestDatabase();
let sellerId: string;
let otherSellerId: string;

beforeAll(async () => {
  sellerId = (await createUser(db, "SELLER")).seller!.id;
  otherSellerId = (await createUser(db, "SELLER")).seller!.id;
  await ensureSellerAccounts(db, sellerId, "usd");
  await ensureSellerAccounts(db, otherSellerId, "usd");
  // An account in another currency, to try mixing currencies in one transaction.
  await sql.query(
    `INSERT INTO ledger_account (code, type, currency) VALUES ('test_eur_clearing', 'ASSET', 'eur')`,
  );
});

const payin = (
  reference: string,
  amount: bigint,
  commission: bigint,
  seller = sellerId,
): TransactionInput => ({
  kind: "payin",
  reference,
  currency: "usd",
  entries: [
    { account: "psp_clearing", direction: "DEBIT", amount },
    { account: `seller_pending:${seller}`, direction: "CREDIT", amount: amount - commission },
    { account: "commission_revenue", direction: "CREDIT", amount: commission },
  ],
});

const release = (reference: string, amount: bigint, seller = sellerId): TransactionInput => ({
  kind: "release",
  reference,
  currency: "usd",
  entries: [
    { account: `seller_pending:${seller}`, direction: "DEBIT", amount },
    { account: `seller_available:${seller}`, direction: "CREDIT", amount },
  ],
});

const wallet = (seller = sellerId) =>
  db.wallet.findUniqueOrThrow({ where: { sellerId_currency: { sellerId: seller, currency: "usd" } } });

/** Balances computed from every entry, without checkpoints, to compare the fast path with. */
async function rawBalance(code: string): Promise<bigint> {
  const { rows } = await sql.query(
    `SELECT coalesce(sum(CASE WHEN e.direction = 'DEBIT' THEN e.amount ELSE -e.amount END), 0)::text AS net, a.type
       FROM ledger_account a LEFT JOIN ledger_entry e ON e.account_id = a.id WHERE a.code = $1 GROUP BY a.type`,
    [code],
  );
  const net = BigInt(rows[0].net);
  return rows[0].type === "ASSET" || rows[0].type === "EXPENSE" ? net : -net;
}

describe("postTransaction", () => {
  it("posts a balanced transaction and moves the wallet with it", async () => {
    const posted = await db.$transaction((tx) => postTransaction(tx, payin("order-1", 10_000n, 1_000n))); // $100, 10 %
    expect(posted.replayed).toBe(false);
    expect(posted.transaction).toMatchObject({
      id: posted.id,
      kind: "payin",
      reference: "order-1",
      currency: "usd",
    });
    expect((await wallet()).pending).toBe(9_000n); // $90.00
    expect(await accountBalance(db, "psp_clearing")).toBe(10_000n);
    expect(await accountBalance(db, "commission_revenue")).toBe(1_000n);
    expect(await accountBalance(db, `seller_pending:${sellerId}`)).toBe(9_000n);
    const stored = await transactionWithEntries(db, posted.id);
    expect(stored.entries.map((entry) => [entry.account.code, entry.direction, entry.amount])).toEqual([
      ["psp_clearing", "DEBIT", 10_000n],
      [`seller_pending:${sellerId}`, "CREDIT", 9_000n],
      ["commission_revenue", "CREDIT", 1_000n],
    ]);
  });

  it("returns the first transaction when the same event is posted again, and writes nothing", async () => {
    const first = await db.$transaction((tx) => postTransaction(tx, payin("order-2", 5_000n, 500n)));
    const entriesBefore = await db.ledgerEntry.count();
    const again = await db.$transaction((tx) =>
      postTransaction(tx, { ...payin("order-2", 5_000n, 500n), description: "retry" }),
    );
    expect(again).toEqual({ ...first, replayed: true });
    expect(await db.ledgerEntry.count()).toBe(entriesBefore);
    expect(await db.ledgerTransaction.count({ where: { reference: "order-2" } })).toBe(1);
    expect((await wallet()).pending).toBe(9_000n + 4_500n);
  });

  it("refuses the same key with different entries as a conflict", async () => {
    await expect(
      db.$transaction((tx) => postTransaction(tx, payin("order-2", 5_001n, 500n))),
    ).rejects.toMatchObject({
      name: "LedgerConflictError",
      code: "CONFLICT",
    });
  });

  const two = (
    a: bigint,
    b: bigint,
    accounts = ["psp_clearing", "commission_revenue"],
  ): TransactionInput["entries"] => [
    { account: accounts[0]!, direction: "DEBIT", amount: a },
    { account: accounts[1]!, direction: "CREDIT", amount: b },
  ];
  it.each([
    ["an unknown account", two(10n, 10n, ["psp_clearing", "nope"]), "UnknownAccountError"],
    ["zero amounts", two(0n, 0n), "UnbalancedTransactionError"],
    ["negative amounts", two(-5n, -5n), "UnbalancedTransactionError"],
    ["amounts beyond BIGINT", two(2n ** 63n, 2n ** 63n), "UnbalancedTransactionError"],
    ["debits ≠ credits", two(5n, 4n), "UnbalancedTransactionError"],
    ["a single entry", two(5n, 5n).slice(0, 1), "UnbalancedTransactionError"],
    [
      "mixed currencies",
      two(5n, 5n, ["test_eur_clearing", "commission_revenue"]),
      "UnbalancedTransactionError",
    ],
  ])("rejects %s and writes nothing", async (_what, entries, name) => {
    const before = await db.ledgerTransaction.count();
    await expect(
      db.$transaction((tx) => postTransaction(tx, { kind: "bad", reference: "x", currency: "usd", entries })),
    ).rejects.toMatchObject({ name, code: "BAD_REQUEST" });
    expect(await db.ledgerTransaction.count()).toBe(before);
  });

  it("rejects a malformed currency and a batch naming one event twice", async () => {
    await expect(
      db.$transaction((tx) => postTransaction(tx, { ...payin("c1", 100n, 10n), currency: "USD" })),
    ).rejects.toMatchObject({ name: "UnbalancedTransactionError" });
    await expect(
      db.$transaction((tx) => postTransactions(tx, [payin("dup", 100n, 10n), payin("dup", 100n, 10n)])),
    ).rejects.toMatchObject({ name: "UnbalancedTransactionError" });
    expect(await db.ledgerTransaction.count({ where: { reference: { in: ["c1", "dup"] } } })).toBe(0);
  });

  it("refuses to take a wallet below zero, and rolls the whole posting back", async () => {
    const before = await db.ledgerEntry.count();
    const overdraw: TransactionInput = {
      kind: "refund",
      reference: "too-much",
      currency: "usd",
      entries: [
        { account: `seller_available:${sellerId}`, direction: "DEBIT", amount: 1n },
        { account: "psp_clearing", direction: "CREDIT", amount: 1n },
      ],
    };
    await expect(db.$transaction((tx) => postTransaction(tx, overdraw))).rejects.toMatchObject({
      name: "InsufficientFundsError",
    });
    expect(await db.ledgerEntry.count()).toBe(before);
  });

  it("stores references and descriptions with quotes, backslashes, commas and braces as given", async () => {
    const odd = ['q"uote\\back,comma {brace} NULL', "  spaced  ", 'ünï\\"cødé'];
    const batch = odd.map((reference, index) => ({
      ...payin(reference, 100n + BigInt(index), 10n),
      description: `d ${reference}`,
    }));
    const posted = await db.$transaction((tx) => postTransactions(tx, batch));
    const single = await postTransaction(db, { ...payin(`one ${odd[0]}`, 50n, 5n), description: odd[2] });
    const stored = await db.ledgerTransaction.findMany({
      where: { id: { in: [...posted.map((item) => item.id), single.id] } },
      orderBy: { id: "asc" },
    });
    expect(stored.map((row) => [row.reference, row.description])).toEqual([
      ...odd.map((reference) => [reference, `d ${reference}`]),
      [`one ${odd[0]}`, odd[2]],
    ]);
    // Replays find them again by the same keys.
    const again = await db.$transaction((tx) => postTransactions(tx, batch));
    expect(again.map((item) => item.replayed)).toEqual([true, true, true]);
    expect(again.map((item) => item.id)).toEqual(posted.map((item) => item.id));
  });

  it("posts a batch with set-based statements, mixing new events and replays", async () => {
    const batch = [
      payin("order-2", 5_000n, 500n),
      payin("b-1", 2_000n, 200n),
      payin("b-2", 3_000n, 300n, otherSellerId),
    ];
    const before = await wallet(otherSellerId);
    const posted = await db.$transaction((tx) => postTransactions(tx, batch));
    expect(posted.map((item) => item.replayed)).toEqual([true, false, false]);
    expect((await wallet(otherSellerId)).pending - before.pending).toBe(2_700n);
    expect((await checkLedgerInvariants(db)).ok).toBe(true);
  });
});

describe("the database enforces the rules", () => {
  async function inTransaction(statements: (client: import("pg").PoolClient) => Promise<unknown>) {
    const client = await sql.connect();
    try {
      await client.query("BEGIN");
      await statements(client);
      await client.query("COMMIT");
    } finally {
      await client.query("ROLLBACK").catch(() => {});
      client.release();
    }
  }
  const rawTransaction = (client: import("pg").PoolClient, reference: string) =>
    client
      .query(
        `INSERT INTO ledger_transaction (kind, reference, currency, input_hash) VALUES ('raw', $1, 'usd', 'x') RETURNING id`,
        [reference],
      )
      .then((result) => result.rows[0].id as string);
  const rawEntry = (
    client: import("pg").PoolClient,
    tx: string,
    code: string,
    direction: string,
    amount: number,
  ) =>
    client.query(
      `INSERT INTO ledger_entry (transaction_id, account_id, direction, amount)
       SELECT $1::bigint, id, $3::"EntryDirection", $4 FROM ledger_account WHERE code = $2`,
      [tx, code, direction, amount],
    );

  it("rejects an unbalanced transaction at commit", async () => {
    await expect(
      inTransaction(async (client) => {
        const tx = await rawTransaction(client, "r1");
        await rawEntry(client, tx, "psp_clearing", "DEBIT", 100);
        await rawEntry(client, tx, "commission_revenue", "CREDIT", 99);
      }),
    ).rejects.toThrow(/unbalanced/);
  });

  it("rejects a transaction mixing currencies at commit", async () => {
    await expect(
      inTransaction(async (client) => {
        const tx = await rawTransaction(client, "r-eur");
        await rawEntry(client, tx, "test_eur_clearing", "DEBIT", 100);
        await rawEntry(client, tx, "commission_revenue", "CREDIT", 100);
      }),
    ).rejects.toThrow(/another currency/);
  });

  it("rejects a transaction with one entry, and one with none", async () => {
    await expect(
      inTransaction(async (client) => {
        const tx = await rawTransaction(client, "r2");
        await rawEntry(client, tx, "psp_clearing", "DEBIT", 5);
      }),
    ).rejects.toThrow(/at least 2/);
    await expect(inTransaction((client) => rawTransaction(client, "r3"))).rejects.toThrow(/no entries/);
    expect(
      (await sql.query(`SELECT count(*)::int AS n FROM ledger_transaction WHERE kind = 'raw'`)).rows[0].n,
    ).toBe(0);
  });

  it("lets a balanced raw transaction through (the rules are not just blocking everything)", async () => {
    await inTransaction(async (client) => {
      const tx = await rawTransaction(client, "r-ok");
      await rawEntry(client, tx, "platform_bank", "DEBIT", 7);
      await rawEntry(client, tx, "psp_clearing", "CREDIT", 7);
    });
    expect((await checkLedgerInvariants(db)).ok).toBe(true);
  });

  it("checks entries added later: to a committed transaction, and after SET CONSTRAINTS … IMMEDIATE", async () => {
    let committed = "";
    await inTransaction(async (client) => {
      committed = await rawTransaction(client, "r-later");
      await rawEntry(client, committed, "platform_bank", "DEBIT", 3);
      await rawEntry(client, committed, "psp_clearing", "CREDIT", 3);
    });
    await expect(
      inTransaction((client) => rawEntry(client, committed, "platform_bank", "DEBIT", 1)),
    ).rejects.toThrow(/unbalanced/);
    await expect(
      inTransaction(async (client) => {
        const tx = await rawTransaction(client, "r-immediate");
        await rawEntry(client, tx, "platform_bank", "DEBIT", 4);
        await rawEntry(client, tx, "psp_clearing", "CREDIT", 4);
        await client.query("SET CONSTRAINTS ALL IMMEDIATE");
        await rawEntry(client, tx, "platform_bank", "DEBIT", 1);
      }),
    ).rejects.toThrow(/unbalanced/);
    // Emptying the queue does not cancel a queued check.
    await expect(
      inTransaction(async (client) => {
        const tx = await rawTransaction(client, "r-dequeued");
        await rawEntry(client, tx, "platform_bank", "DEBIT", 5);
        await client.query("DELETE FROM ledger_check_queue");
      }),
    ).rejects.toThrow(/at least 2/);
    expect((await sql.query(`SELECT count(*)::int AS n FROM ledger_check_queue`)).rows[0].n).toBe(0);
    expect((await checkLedgerInvariants(db)).ok).toBe(true);
  });

  it("refuses an entry whose transaction or account does not exist, even among valid ones", async () => {
    const entries = () => sql.query(`SELECT count(*)::int AS n FROM ledger_entry`).then((r) => r.rows[0].n);
    const before = await entries();
    const [{ max: lastAccount }] = (await sql.query(`SELECT max(id)::text AS max FROM ledger_account`)).rows;
    const [{ id: clearing }] = (
      await sql.query(`SELECT id::text FROM ledger_account WHERE code = 'psp_clearing'`)
    ).rows;
    // One statement writing two valid entries and one orphan: the whole statement is refused.
    const withOrphan = (
      client: import("pg").PoolClient,
      tx: string,
      orphanTx: string,
      orphanAccount: string,
    ) =>
      client.query(
        `INSERT INTO ledger_entry (transaction_id, account_id, direction, amount)
         VALUES ($1, $2, 'DEBIT', 5), ($1, $2, 'CREDIT', 5), ($3, $4, 'DEBIT', 1)`,
        [tx, clearing, orphanTx, orphanAccount],
      );
    await expect(
      inTransaction(async (client) => {
        const tx = await rawTransaction(client, "r-orphan-account");
        await withOrphan(client, tx, tx, String(BigInt(lastAccount) + 1000n));
      }),
    ).rejects.toMatchObject({
      code: "23503",
      message: expect.stringMatching(/ledger account \d+, which does not exist/),
    });
    await expect(
      inTransaction(async (client) => {
        const tx = await rawTransaction(client, "r-orphan-transaction");
        await withOrphan(client, tx, String(BigInt(tx) + 1000n), clearing);
      }),
    ).rejects.toMatchObject({
      code: "23503",
      message: expect.stringMatching(/ledger transaction \d+, which does not exist/),
    });
    expect(await entries()).toBe(before);
  });

  it.each([
    ["DELETE ledger_account", `DELETE FROM ledger_account WHERE code = 'psp_clearing'`],
    ["UPDATE ledger_account id", `UPDATE ledger_account SET id = id + 1000 WHERE code = 'psp_clearing'`],
    ["TRUNCATE ledger_account", `TRUNCATE ledger_account CASCADE`],
  ])("refuses %s: entries refer to accounts by id", async (_what, statement) => {
    await expect(sql.query(statement)).rejects.toThrow(/never deleted nor renumbered/);
  });

  it("posts with the plain client as one atomic statement", async () => {
    const before = await db.ledgerEntry.count();
    const posted = await postTransaction(db, payin("plain-1", 1_000n, 100n));
    expect(posted.replayed).toBe(false);
    expect(await db.ledgerEntry.count()).toBe(before + 3);
    expect((await postTransaction(db, payin("plain-1", 1_000n, 100n))).replayed).toBe(true);
    await expect(
      postTransaction(db, {
        kind: "refund",
        reference: "plain-too-much",
        currency: "usd",
        entries: [
          { account: `seller_available:${sellerId}`, direction: "DEBIT", amount: 10n ** 12n },
          { account: "psp_clearing", direction: "CREDIT", amount: 10n ** 12n },
        ],
      }),
    ).rejects.toMatchObject({ name: "InsufficientFundsError" });
    expect(await db.ledgerTransaction.count({ where: { reference: "plain-too-much" } })).toBe(0);
    expect(await db.ledgerEntry.count()).toBe(before + 3);
  });

  it("prepares the posting statement by name on its connection, and nothing else", async () => {
    const prepared = await db.$transaction(async (tx) => {
      await postTransaction(tx, payin("prepared-1", 1_000n, 100n));
      await postTransaction(tx, payin("prepared-2", 1_000n, 100n));
      return tx.$queryRawUnsafe<{ name: string }[]>(`SELECT name FROM pg_prepared_statements`);
    });
    expect(prepared.map((row) => row.name)).toEqual(["ledger_post"]);
  });

  it.each([
    ["UPDATE ledger_entry", `UPDATE ledger_entry SET amount = amount + 1`],
    ["DELETE ledger_entry", `DELETE FROM ledger_entry`],
    ["TRUNCATE ledger_entry", `TRUNCATE ledger_entry CASCADE`],
    ["UPDATE ledger_transaction", `UPDATE ledger_transaction SET description = 'x'`],
    ["DELETE ledger_transaction", `DELETE FROM ledger_transaction WHERE kind = 'raw'`],
    ["TRUNCATE ledger_transaction", `TRUNCATE ledger_transaction CASCADE`],
  ])("refuses %s", async (_what, statement) => {
    await expect(sql.query(statement)).rejects.toThrow(/append-only/);
  });

  it("rejects zero and negative entry amounts", async () => {
    for (const amount of [0, -1]) {
      await expect(
        sql.query(
          `INSERT INTO ledger_entry (transaction_id, account_id, direction, amount) SELECT id, 1, 'DEBIT', $1 FROM ledger_transaction LIMIT 1`,
          [amount],
        ),
      ).rejects.toThrow(/ledger_entry_amount_positive/);
    }
  });

  it("rejects a negative wallet", async () => {
    await expect(sql.query(`UPDATE wallet SET available = -1`)).rejects.toThrow(
      /wallet_available_not_negative/,
    );
    await expect(sql.query(`UPDATE wallet SET pending = -1`)).rejects.toThrow(/wallet_pending_not_negative/);
  });
});

describe("concurrency", () => {
  it("20 connections posting to one hot seller and the hot system accounts lose no update and never deadlock", async () => {
    const before = await wallet();
    const clearingBefore = await accountBalance(db, "psp_clearing");
    // Pay-ins, releases and two-seller batches in both seller orders, all at once.
    const work = Array.from({ length: 60 }, (_, index) => {
      if (index % 3 === 0)
        return db.$transaction((tx) => postTransaction(tx, payin(`hot-${index}`, 1_000n, 100n)));
      if (index % 3 === 1)
        return db.$transaction((tx) => postTransaction(tx, release(`hot-rel-${index}`, 10n)));
      const pair = [payin(`hot-a-${index}`, 500n, 50n), payin(`hot-b-${index}`, 500n, 50n, otherSellerId)];
      return db.$transaction((tx) => postTransactions(tx, index % 2 ? pair : pair.reverse()));
    });
    await Promise.all(work);
    const after = await wallet();
    expect(after.pending - before.pending).toBe(20n * 900n + 20n * 450n - 20n * 10n);
    expect(after.available - before.available).toBe(20n * 10n);
    expect((await accountBalance(db, "psp_clearing")) - clearingBefore).toBe(20n * 1_000n + 20n * 1_000n);
    expect(await checkLedgerInvariants(db)).toEqual({ ok: true, violations: [] });
  });

  it("posts one transaction when several processes post the same event at once", async () => {
    const results = await Promise.all(
      Array.from({ length: 8 }, () =>
        db.$transaction((tx) => postTransaction(tx, payin("same-event", 700n, 70n))),
      ),
    );
    expect(new Set(results.map((result) => result.id)).size).toBe(1);
    expect(results.filter((result) => !result.replayed)).toHaveLength(1);
    expect((await checkLedgerInvariants(db)).ok).toBe(true);
  });
});

describe("read side", () => {
  it("gives a statement with a running balance across keyset pages that ends at the wallet", async () => {
    const code = `seller_pending:${sellerId}`;
    const lines = [];
    let cursor: bigint | undefined;
    do {
      const page = await accountStatement(db, code, { afterEntryId: cursor, limit: 7 });
      expect(page.lines.length).toBeLessThanOrEqual(7);
      lines.push(...page.lines);
      cursor = page.nextCursor;
    } while (cursor);
    expect(lines[0]!.balance).toBe(9_000n);
    for (let index = 1; index < lines.length; index++) {
      expect(lines[index]!.entryId).toBeGreaterThan(lines[index - 1]!.entryId);
      expect(lines[index]!.balance).toBe(lines[index - 1]!.balance + lines[index]!.change);
    }
    expect(lines.at(-1)!.balance).toBe((await wallet()).pending);
    const streamed = [];
    for await (const line of statementLines(db, code, 5)) streamed.push(line);
    expect(streamed).toEqual(lines);
    expect((await accountStatement(db, code, { limit: 10_000 })).lines.length).toBeLessThanOrEqual(100);
  });

  it("gives a period's statement: its lines, the balance before it, in and out, and at its end", async () => {
    const seller = (await createUser(db, "SELLER")).seller!.id;
    await ensureSellerAccounts(db, seller, "usd");
    const code = `seller_pending:${seller}`;
    // Six sales (10 of each kept as commission) and two releases, each its own transaction (so its
    // own moment).
    const amounts = [1_000n, 2_000n, 3_000n, 4_000n, 5_000n, 6_000n];
    for (const [index, amount] of amounts.entries()) {
      await db.$transaction((tx) =>
        postTransaction(tx, payin(`period-${seller}-${index}`, amount, 10n, seller)),
      );
      if (index % 3 === 2)
        await db.$transaction((tx) =>
          postTransaction(tx, release(`period-r-${seller}-${index}`, 500n, seller)),
        );
    }
    const everything = (await accountStatement(db, code, { limit: 100 })).lines;
    const changes = [990n, 1_990n, 2_990n, -500n, 3_990n, 4_990n, 5_990n, -500n];
    expect(everything.map((line) => line.change)).toEqual(changes);
    // From the third line's moment to just before the seventh's. A Date holds whole milliseconds,
    // so these filters pick exactly the lines PostgreSQL's microsecond comparisons pick (two
    // transactions in one millisecond fall on the same side of both ends).
    const period = { gte: everything[2]!.createdAt, lt: everything[6]!.createdAt };
    const inPeriod = everything.filter((line) => line.createdAt >= period.gte && line.createdAt < period.lt);
    const before = everything.filter((line) => line.createdAt < period.gte);
    expect(inPeriod[0]).toEqual(everything[2]);
    expect(before.length + inPeriod.length).toBeLessThan(everything.length);

    const paged = [];
    let cursor: bigint | undefined;
    do {
      const page = await accountStatement(db, code, { afterEntryId: cursor, limit: 2, period });
      paged.push(...page.lines);
      cursor = page.nextCursor;
    } while (cursor);
    // The same lines with the same running balances as the whole statement shows them.
    expect(paged).toEqual(inPeriod);
    const streamed = [];
    for await (const line of statementLines(db, code, 2, period)) streamed.push(line);
    expect(streamed).toEqual(inPeriod);

    const sum = (amounts: bigint[]) => amounts.reduce((total, amount) => total + amount, 0n);
    const totalsOf = (lines: typeof everything, opening: bigint) => ({
      opening,
      moneyIn: sum(lines.map((line) => line.change).filter((change) => change > 0n)),
      moneyOut: -sum(lines.map((line) => line.change).filter((change) => change < 0n)),
      closing: lines.at(-1)!.balance,
    });
    expect(await periodTotals(db, code, period)).toEqual(
      totalsOf(inPeriod, sum(before.map((line) => line.change))),
    );
    expect(await periodTotals(db, code)).toEqual(totalsOf(everything, 0n));
    expect((await periodTotals(db, code)).moneyOut).toBe(1_000n);
    // Open ends: everything up to the period's end, and everything from its start.
    expect((await accountStatement(db, code, { limit: 100, period: { lt: period.lt } })).lines).toEqual([
      ...before,
      ...inPeriod,
    ]);
    expect((await accountStatement(db, code, { limit: 100, period: { gte: period.gte } })).lines).toEqual(
      everything.slice(before.length),
    );
    // An asset's balance rises with debits: money in is what was debited.
    const clearing = await periodTotals(db, "psp_clearing", period);
    expect(clearing.closing - clearing.opening).toBe(clearing.moneyIn - clearing.moneyOut);
  });

  it("gives balances as of a moment", async () => {
    const code = `seller_pending:${otherSellerId}`;
    const before = await accountBalance(db, code);
    const { rows } = await sql.query(`SELECT clock_timestamp() AS at`);
    const moment = rows[0].at as Date;
    await db.$transaction((tx) => postTransaction(tx, payin("after-moment", 1_000n, 100n, otherSellerId)));
    await refreshBalanceCheckpoints(db); // a seal after the moment must not leak into it
    expect(await accountBalance(db, code, moment)).toBe(before);
    expect(await accountBalance(db, code)).toBe(before + 900n);
    expect(await accountBalance(db, "psp_clearing", moment)).toBe(
      (await accountBalance(db, "psp_clearing")) - 1_000n,
    );
  });

  it("keeps the trial balance at zero and balances equal to the entries across checkpoints", async () => {
    const trial = await trialBalance(db);
    expect(trial.balanced).toBe(true);
    await refreshBalanceCheckpoints(db);
    await db.$transaction((tx) => postTransaction(tx, payin("after-seal", 400n, 40n)));
    await refreshBalanceCheckpoints(db);
    await db.$transaction((tx) => postTransaction(tx, payin("after-seal-2", 400n, 40n)));
    expect(await db.ledgerBalanceCheckpoint.count()).toBeGreaterThan(0);
    for (const account of await accountBalances(db)) {
      expect([account.code, account.balance]).toEqual([account.code, await rawBalance(account.code)]);
    }
  });

  it("never seals a checkpoint over a posting still in flight", async () => {
    let release!: () => void;
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    let posted!: () => void;
    const postedSignal = new Promise<void>((resolve) => {
      posted = resolve;
    });
    const inFlight = db.$transaction(
      async (tx) => {
        await postTransaction(tx, payin("in-flight", 12_345n, 1_234n));
        posted();
        await gate;
      },
      { timeout: 20_000 },
    );
    await postedSignal;
    // Postings after the in-flight one commit first, and the seal runs while it is open.
    await db.$transaction((tx) => postTransaction(tx, payin("overtaking", 100n, 10n, otherSellerId)));
    await refreshBalanceCheckpoints(db);
    release();
    await inFlight;
    await refreshBalanceCheckpoints(db);
    for (const code of ["psp_clearing", "commission_revenue"]) {
      expect(await accountBalance(db, code)).toBe(await rawBalance(code));
    }
    expect(await checkLedgerInvariants(db)).toEqual({ ok: true, violations: [] });
  });

  it("reports a wallet that drifted from the ledger", async () => {
    await sql.query(`UPDATE wallet SET pending = pending + 1 WHERE seller_id = $1`, [sellerId]);
    try {
      const report = await checkLedgerInvariants(db);
      expect(report.ok).toBe(false);
      expect(report.violations).toEqual([expect.objectContaining({ invariant: "wallet = ledger" })]);
    } finally {
      await sql.query(`UPDATE wallet SET pending = pending - 1 WHERE seller_id = $1`, [sellerId]);
    }
  });
});
