// The seller's statement export: their own account only, every line with every column, a period
// of whole UTC days, a bad period refused.
import { parse } from "csv-parse/sync";
import { beforeAll, describe, expect, it, vi } from "vitest";
import { SESSION_COOKIE } from "@/server/auth/session";
import { ensureSellerAccounts, postTransaction } from "@/server/ledger/post-transaction";
import { createUser, sessionFor } from "@/server/test/callers";
import { createTestDatabase } from "@/server/test/database";
import { STATEMENT_CSV_COLUMNS } from "./statement-csv";

const { db } = await createTestDatabase();
let cookie = "";
vi.mock("next/headers", () => ({ headers: async () => new Headers(cookie ? { cookie } : {}) }));
vi.mock("@/server/db", async (original) => ({
  ...(await original<typeof import("@/server/db")>()),
  getDb: async () => db,
}));
const { GET } = await import("@/app/api/seller/statement.csv/route");

const get = (query = "") => GET(new Request(`http://local/api/seller/statement.csv${query}`));
const rows = async (response: Response) => parse(await response.text()) as string[][];
let sellerCookie = "";

beforeAll(async () => {
  const [seller, other] = [await createUser(db, "SELLER"), await createUser(db, "SELLER")];
  for (const { seller: account } of [seller, other]) {
    await ensureSellerAccounts(db, account!.id, "usd");
    for (const index of [1, 2, 3]) {
      await db.$transaction((tx) =>
        postTransaction(tx, {
          kind: "payin",
          reference: `${account!.id}-${index}`,
          currency: "usd",
          description: `Sale ${index}, paid`, // a comma, so the field is quoted
          entries: [
            { account: "psp_clearing", direction: "DEBIT", amount: 1_000n },
            { account: `seller_pending:${account!.id}`, direction: "CREDIT", amount: 900n },
            { account: "commission_revenue", direction: "CREDIT", amount: 100n },
          ],
        }),
      );
    }
  }
  sellerCookie = `${SESSION_COOKIE}=${await sessionFor(db, seller.user.id)}`;
});

describe("seller statement CSV", () => {
  it("refuses anyone but a seller", async () => {
    cookie = "";
    expect((await get()).status).toBe(401);
    const finance = await createUser(db, "FINANCE");
    cookie = `${SESSION_COOKIE}=${await sessionFor(db, finance.user.id)}`;
    expect((await get()).status).toBe(403);
  });

  it("streams the seller's own lines, every column filled, the running balance in minor units", async () => {
    cookie = sellerCookie;
    const response = await get("?bucket=pending");
    expect(response.headers.get("content-disposition")).toContain('filename="statement-pending.csv"');
    const [header, ...lines] = await rows(response);
    expect(header).toEqual(STATEMENT_CSV_COLUMNS);
    expect(lines.map((line) => [line[4], line[5], line[6], line[7]])).toEqual([
      ["Sale 1, paid", "900", "900", "usd"],
      ["Sale 2, paid", "900", "1800", "usd"],
      ["Sale 3, paid", "900", "2700", "usd"],
    ]);
  });

  it("takes a period of whole UTC days, and refuses one that ends before it starts", async () => {
    cookie = sellerCookie;
    const [, first] = await rows(await get("?bucket=pending"));
    const day = first![1]!.slice(0, 10); // the day the lines were posted
    const sameDay = await get(`?bucket=pending&from=${day}&to=${day}`);
    expect(sameDay.headers.get("content-disposition")).toContain(`statement-pending-${day}-${day}.csv`);
    expect(await rows(sameDay)).toHaveLength(4);
    expect(await rows(await get("?bucket=pending&to=2020-01-31"))).toHaveLength(1); // the header alone
    const refused = await get("?bucket=pending&from=2026-12-06&to=2026-12-05");
    expect(refused.status).toBe(400);
    expect((await refused.json()).error).toContain("The end date is before the start date");
    expect((await get("?from=yesterday")).status).toBe(400);
  });
});
