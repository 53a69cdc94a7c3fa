// The report export: finance only, every item once, in keyset batches, bigints as digits.
import { parse } from "csv-parse/sync";
import { beforeAll, describe, expect, it, vi } from "vitest";
import { SESSION_COOKIE } from "@/server/auth/session";
import { createUser, sessionFor } from "@/server/test/callers";
import { createTestDatabase } from "@/server/test/database";

const { db } = await createTestDatabase();
let cookie = "";
vi.mock("next/headers", () => ({ headers: async () => new Headers(cookie ? { cookie } : {}) }));
vi.mock("@/server/db", async (original) => ({
  ...(await original<typeof import("@/server/db")>()),
  getDb: async () => db,
}));
const { GET } = await import("@/app/api/finance/reconciliation/[id]/report.csv/route");

const get = (id: string) =>
  GET(new Request(`http://local/api/finance/reconciliation/${id}/report.csv`), {
    params: Promise.resolve({ id }),
  });
let runId: string;

beforeAll(async () => {
  const run = await db.reconRun.create({
    data: { periodStart: new Date("2026-12-01T00:00:00Z"), periodEnd: new Date("2026-12-02T00:00:00Z") },
  });
  runId = run.id;
  await db.reconItem.createMany({
    data: Array.from({ length: 2_345 }, (_, index) => ({
      runId,
      area: "charge",
      outcome: "AMOUNT_MISMATCH" as const,
      classification: "MANUAL" as const,
      pspReference: `ch_${index}`,
      expectedAmount: 9_007_199_254_740_993n, // beyond a double's precision
      actualAmount: 1_999n, // $19.99
      detail: index === 0 ? 'a "quoted", multi\nline detail' : "differs",
    })),
  });
});

describe("reconciliation report CSV", () => {
  it("refuses anyone but finance", async () => {
    cookie = "";
    expect((await get(runId)).status).toBe(401);
    const seller = await createUser(db, "SELLER");
    cookie = `${SESSION_COOKIE}=${await sessionFor(db, seller.user.id)}`;
    expect((await get(runId)).status).toBe(403);
  });

  it("streams every item once, with the header, for finance", async () => {
    const finance = await createUser(db, "FINANCE");
    cookie = `${SESSION_COOKIE}=${await sessionFor(db, finance.user.id)}`;
    expect((await get("not-a-run")).status).toBe(400);
    expect((await get("00000000-0000-4000-8000-000000000000")).status).toBe(404);
    const response = await get(runId);
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toContain("text/csv");
    const rows = parse(await response.text(), { columns: true }) as Record<string, string>[];
    expect(rows).toHaveLength(2_345);
    expect(new Set(rows.map((row) => row.id)).size).toBe(2_345);
    expect(rows[0]).toMatchObject({
      outcome: "AMOUNT_MISMATCH",
      expected_amount: "9007199254740993",
      actual_amount: "1999",
      detail: 'a "quoted", multi\nline detail',
      resolution: "OPEN",
    });
  });
});
