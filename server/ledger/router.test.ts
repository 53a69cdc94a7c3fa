// The ledger and wallet procedures through the tRPC caller with real sessions.
import { beforeAll, describe, expect, it } from "vitest";
import { callerAs, createUser } from "@/server/test/callers";
import { createTestDatabase } from "@/server/test/database";
import { ensureSellerAccounts, postTransaction } from "./post-transaction";

const { db } = await createTestDatabase();
let financeId: string;
let sellerUserId: string;
let sellerId: string;
let otherSellerId: string;
let transactionId: bigint;

beforeAll(async () => {
  financeId = (await createUser(db, "FINANCE")).user.id;
  const seller = await createUser(db, "SELLER");
  sellerUserId = seller.user.id;
  sellerId = seller.seller!.id;
  otherSellerId = (await createUser(db, "SELLER")).seller!.id;
  for (const id of [sellerId, otherSellerId]) {
    await ensureSellerAccounts(db, id, "usd");
    for (let index = 0; index < 3; index++) {
      const posted = await db.$transaction((tx) =>
        postTransaction(tx, {
          kind: "payin",
          reference: `${id}-${index}`,
          currency: "usd",
          entries: [
            { account: "psp_clearing", direction: "DEBIT", amount: 1_000n }, // $10.00
            { account: `seller_pending:${id}`, direction: "CREDIT", amount: 900n },
            { account: "commission_revenue", direction: "CREDIT", amount: 100n },
          ],
        }),
      );
      transactionId = posted.id;
    }
  }
});

describe("ledger router", () => {
  it("is for finance only", async () => {
    const seller = await callerAs(db, sellerUserId);
    await expect(seller.ledger.trialBalance()).rejects.toMatchObject({ code: "FORBIDDEN" });
    const anonymous = await callerAs(db);
    await expect(anonymous.ledger.accounts()).rejects.toMatchObject({ code: "UNAUTHORIZED" });
  });

  it("gives the trial balance and pages through seller accounts", async () => {
    const finance = await callerAs(db, financeId);
    const trial = await finance.ledger.trialBalance();
    expect(trial.balanced).toBe(true);
    expect(trial.accounts.find((account) => account.code === "psp_clearing")?.balance).toBe(6_000n);
    expect(trial.sellerAccounts.find((group) => group.bucket === "pending")).toMatchObject({
      count: 2,
      balance: 5_400n,
    });
    const first = await finance.ledger.accounts({ kind: "seller", limit: 3 });
    expect(first.accounts).toHaveLength(3);
    const second = await finance.ledger.accounts({ kind: "seller", limit: 3, cursor: first.nextCursor });
    expect(second.accounts).toHaveLength(1);
    expect(second.nextCursor).toBeUndefined();
    // Each seller account names its seller; system accounts have none.
    const seller = await db.seller.findUniqueOrThrow({ where: { id: sellerId } });
    expect(
      [...first.accounts, ...second.accounts].find(
        (account) => account.code === `seller_pending:${sellerId}`,
      ),
    ).toMatchObject({ sellerName: seller.name });
    expect(
      (await finance.ledger.accounts({ kind: "system" })).accounts.every((a) => a.sellerName === null),
    ).toBe(true);
    await expect(finance.ledger.accounts({ limit: 101 })).rejects.toMatchObject({ code: "BAD_REQUEST" });
  });

  it("reads a transaction, and answers out-of-range ids with 400, unknown ones with 404", async () => {
    const finance = await callerAs(db, financeId);
    const transaction = await finance.ledger.transaction({ id: transactionId });
    expect(transaction.entries).toHaveLength(3);
    for (const id of ["9223372036854775808", "0", "-1", "abc", "1e400"]) {
      await expect(finance.ledger.transaction({ id: id as unknown as bigint })).rejects.toMatchObject({
        code: "BAD_REQUEST",
      });
    }
    await expect(finance.ledger.transaction({ id: 9_223_372_036_854_775_807n })).rejects.toMatchObject({
      code: "NOT_FOUND",
    });
    const statement = await finance.ledger.statement({ code: "psp_clearing", limit: 2 });
    expect(statement.lines).toHaveLength(2);
    expect(statement.nextCursor).toBeDefined();
  });
});

describe("ledger router: an account's statement over a period", () => {
  it("gives totals and lines for whole UTC days; refuses a reversed period and unknown accounts", async () => {
    const finance = await callerAs(db, financeId);
    // psp_clearing, an asset: money in is what was debited to it.
    expect(await finance.ledger.statementTotals({ code: "psp_clearing" })).toEqual({
      opening: 0n,
      moneyIn: 6_000n,
      moneyOut: 0n,
      closing: 6_000n,
    });
    expect(await finance.ledger.statementTotals({ code: "commission_revenue", from: "2099-01-01" })).toEqual({
      opening: 600n,
      moneyIn: 0n,
      moneyOut: 0n,
      closing: 600n,
    });
    const old = await finance.ledger.statement({ code: "psp_clearing", to: "2020-01-31" });
    expect(old.lines).toEqual([]);
    await expect(
      finance.ledger.statementTotals({ code: "psp_clearing", from: "2026-12-06", to: "2026-12-05" }),
    ).rejects.toMatchObject({
      code: "BAD_REQUEST",
      message: expect.stringContaining("before the start date"),
    });
    await expect(finance.ledger.statementTotals({ code: "no_such_account" })).rejects.toMatchObject({
      code: "NOT_FOUND",
    });
  });
});

describe("wallet router", () => {
  it("shows a seller only their own wallet and statement", async () => {
    const seller = await callerAs(db, sellerUserId);
    const [wallet] = await seller.wallet.mine();
    expect(wallet).toMatchObject({ sellerId, pending: 2_700n, available: 0n });
    const page = await seller.wallet.statement({ bucket: "pending", limit: 2 });
    expect(page.lines.map((line) => line.balance)).toEqual([900n, 1_800n]);
    const rest = await seller.wallet.statement({ bucket: "pending", limit: 2, cursor: page.nextCursor });
    expect(rest.lines.map((line) => line.balance)).toEqual([2_700n]);
    expect(rest.lines.every((line) => line.reference.startsWith(sellerId))).toBe(true);
  });

  it("gives a period of whole UTC days, with the balance before it and at its end", async () => {
    const seller = await callerAs(db, sellerUserId);
    // The UTC day the set-up posted on (today, unless midnight passed since), and its neighbours.
    const posted = (await seller.wallet.statement({ bucket: "pending" })).lines[0]!.createdAt.getTime();
    const dayOf = (time: number) => new Date(time).toISOString().slice(0, 10);
    const [yesterday, today, tomorrow] = [-1, 0, 1].map((days) => dayOf(posted + days * 86_400_000));
    const totals = (from?: string, to?: string) =>
      seller.wallet.statementTotals({ bucket: "pending", from, to });
    const lines = async (from?: string, to?: string) =>
      (await seller.wallet.statement({ bucket: "pending", from, to, limit: 100 })).lines.map(
        (line) => line.balance,
      );

    // Everything was posted that day.
    expect(await lines(today, today)).toEqual([900n, 1_800n, 2_700n]);
    expect(await totals(today, today)).toEqual({
      opening: 0n,
      moneyIn: 2_700n,
      moneyOut: 0n,
      closing: 2_700n,
    });
    expect(await lines(undefined, yesterday)).toEqual([]);
    expect(await totals(undefined, yesterday)).toEqual({
      opening: 0n,
      moneyIn: 0n,
      moneyOut: 0n,
      closing: 0n,
    });
    expect(await lines(tomorrow)).toEqual([]);
    expect(await totals(tomorrow)).toEqual({ opening: 2_700n, moneyIn: 0n, moneyOut: 0n, closing: 2_700n });
    // A balance not opened yet reads as zero.
    expect(await seller.wallet.statementTotals({ bucket: "available" })).toEqual({
      opening: 0n,
      moneyIn: 0n,
      moneyOut: 0n,
      closing: 0n,
    });
  });

  it("answers a bad period with BAD_REQUEST and a message on its field", async () => {
    const seller = await callerAs(db, sellerUserId);
    await expect(seller.wallet.statement({ from: "2026-12-06", to: "2026-12-05" })).rejects.toMatchObject({
      code: "BAD_REQUEST",
      message: expect.stringContaining("The end date is before the start date"),
    });
    await expect(seller.wallet.statementTotals({ from: "06/12/2026" })).rejects.toMatchObject({
      code: "BAD_REQUEST",
      message: expect.stringContaining("A date like 2026-12-05"),
    });
    const finance = await callerAs(db, financeId);
    await expect(finance.wallet.statementTotals({})).rejects.toMatchObject({ code: "FORBIDDEN" });
  });
});
