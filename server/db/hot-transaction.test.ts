// hotTransaction on PostgreSQL runs the hot path's transactions on a pool connection of its own,
// outside Prisma: it must commit, roll back and return rows exactly as Prisma's would, and never
// hand a connection back to the pool in the middle of a transaction.
import { describe, expect, it } from "vitest";
import { hotTransaction } from "@/server/db";
import { postTransactions } from "@/server/ledger/post-transaction";
import { createTestDatabase } from "@/server/test/database";

const { db, sql } = await createTestDatabase();

const posting = (reference: string) => ({
  kind: "hot-tx-test",
  reference,
  currency: "usd",
  entries: [
    { account: "psp_clearing", direction: "DEBIT" as const, amount: 1_250n },
    { account: "commission_revenue", direction: "CREDIT" as const, amount: 1_250n },
  ],
});
const stored = async (reference: string) =>
  (await sql.query(`SELECT count(*)::int AS n FROM ledger_transaction WHERE reference = $1`, [reference]))
    .rows[0].n;

describe("hotTransaction", () => {
  it("commits the work and returns rows as Prisma does (int8 as bigint)", async () => {
    const posted = await hotTransaction(db, (tx) => postTransactions(tx, [posting("a"), posting("b")]));
    expect(posted.map((one) => typeof one.id)).toEqual(["bigint", "bigint"]);
    expect(posted.map((one) => one.transaction.createdAt)).toEqual([expect.any(Date), expect.any(Date)]);
    expect([await stored("a"), await stored("b")]).toEqual([1, 1]);
  });

  it("rolls everything back when the work throws", async () => {
    await expect(
      hotTransaction(db, async (tx) => {
        await postTransactions(tx, [posting("c"), posting("d")]);
        throw new Error("the caller changed its mind");
      }),
    ).rejects.toThrow("the caller changed its mind");
    // Had its connection gone back to the pool still in the transaction, one of these would
    // commit the abandoned work along with its own.
    await Promise.all(
      Array.from({ length: 25 }, (_, index) =>
        hotTransaction(db, (tx) => postTransactions(tx, [posting(`c${index}`), posting(`d${index}`)])),
      ),
    );
    expect([await stored("c"), await stored("d"), await stored("c24")]).toEqual([0, 0, 1]);
  });

  it("rolls back when a check deferred to the commit refuses, and the pool stays usable", async () => {
    // A ledger transaction without entries is only refused at COMMIT.
    const empty = (reference: string) =>
      hotTransaction(db, (tx) =>
        tx.$executeRawUnsafe(
          `INSERT INTO ledger_transaction (kind, reference, currency, input_hash) VALUES ('hot-tx-test', $1, 'usd', 'h')`,
          reference,
        ),
      );
    await expect(empty("e")).rejects.toThrow(/has no entries/);
    expect(await stored("e")).toBe(0);
    // More transactions than the pool has connections (20): each failed one gave its own back clean.
    const outcomes = await Promise.allSettled(Array.from({ length: 30 }, (_, index) => empty(`f${index}`)));
    expect(outcomes.every((outcome) => outcome.status === "rejected")).toBe(true);
    const after = await hotTransaction(db, (tx) => postTransactions(tx, [posting("g"), posting("h")]));
    expect(after).toHaveLength(2);
    expect(await stored("g")).toBe(1);
  });
});
