// Property-based fuzzing of every procedure (as a role allowed to call it) and of the webhook
// endpoint: malformed, oversized and hostile input gets a 4xx with a message, never a 500, and
// writes nothing.
import { TRPCError } from "@trpc/server";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { receivePspWebhook } from "@/server/payin/webhook-endpoint";
import { appRouter } from "@/server/root";
import { callerAs, createUser } from "@/server/test/callers";
import { createTestDatabase } from "@/server/test/database";
import { accessTable } from "./access-table";

// A fixed seed keeps CI reproducible; FUZZ_SEED=<n> explores other inputs.
const seed = Number(process.env.FUZZ_SEED ?? 20261205);
const { db, sql } = await createTestDatabase();
process.env.PAYRAIL_RATE_LIMITS = "off";
const users = {
  BUYER: await createUser(db, "BUYER"),
  SELLER: await createUser(db, "SELLER"),
  FINANCE: await createUser(db, "FINANCE"),
};

/** Procedures that take no input and whose purpose is to write (sign out, connect a PSP account). */
const writesWithoutInput = new Set(["auth.logout", "payout.connectAccount"]);

const hostile = fc.oneof(
  fc.anything({ withBigInt: true, withDate: true, withNullPrototype: true, maxDepth: 3 }),
  fc.string({ maxLength: 5000 }),
  fc.constantFrom(
    { id: 9_223_372_036_854_775_808n },
    { amount: -1n, paymentOrderId: "00000000-0000-0000-0000-000000000000" },
    { cursor: 2n ** 70n },
    { limit: 1e9 },
    { email: "a@b.c", password: "x".repeat(100_000) },
    { checkoutId: "'; DROP TABLE payment_event; --" },
    { idempotencyKey: "not-a-uuid", items: [{ productId: "x", quantity: -5 }] },
    { __proto__: { role: "FINANCE" } },
    { query: "\u0000\u202e<script>" },
  ),
);

async function tableSizes(): Promise<string> {
  const tables = (
    await sql.query<{ name: string }>(
      `SELECT tablename AS name FROM pg_tables WHERE schemaname = 'public' AND tablename NOT IN ('session', '_prisma_migrations') ORDER BY 1`,
    )
  ).rows.map((row) => row.name);
  const counts = await Promise.all(
    tables.map(
      async (table) => `${table}=${(await sql.query(`SELECT count(*) FROM "${table}"`)).rows[0].count}`,
    ),
  );
  return counts.join(",");
}

describe("every procedure, as a role allowed to call it", () => {
  for (const path of Object.keys(appRouter._def.procedures)) {
    if (writesWithoutInput.has(path)) continue;
    const role = (accessTable[path] ?? []).find((candidate) => candidate !== "anonymous") ?? "BUYER";
    it(`${path} answers hostile input with a 4xx and writes nothing`, async () => {
      const caller = await callerAs(db, users[role as keyof typeof users].user.id);
      const procedure = path
        .split(".")
        .reduce<unknown>((node, key) => (node as Record<string, unknown>)[key], caller) as (
        input: unknown,
      ) => Promise<unknown>;
      const procedures = appRouter._def.procedures as unknown as Record<string, { _def: { type: string } }>;
      const isMutation = procedures[path]?._def.type === "mutation";
      await fc.assert(
        fc.asyncProperty(hostile, async (input) => {
          const before = isMutation ? await tableSizes() : "";
          try {
            await procedure(input);
            return; // the input happened to be valid: writing is its job
          } catch (error) {
            expect(error).toBeInstanceOf(TRPCError);
            expect((error as TRPCError).code, `${path}: ${(error as Error).message}`).not.toBe(
              "INTERNAL_SERVER_ERROR",
            );
            expect((error as Error).message.length).toBeGreaterThan(0);
          }
          if (isMutation) expect(await tableSizes(), `${path} wrote on a rejected call`).toBe(before);
        }),
        { numRuns: 40, seed },
      );
    });
  }
});

describe("the webhook endpoint", () => {
  it("answers forged, malformed and oversized payloads with 4xx and stores nothing", async () => {
    const before = await tableSizes();
    await fc.assert(
      fc.asyncProperty(
        fc.string({ maxLength: 2000 }),
        fc.option(fc.string({ maxLength: 300 })),
        async (body, signature) => {
          const result = await receivePspWebhook(db, body, signature, ["whsec_fuzz"]);
          expect(result.status).toBeGreaterThanOrEqual(400);
          expect(result.status).toBeLessThan(500);
        },
      ),
      { numRuns: 200, seed },
    );
    const oversized = await receivePspWebhook(db, "x".repeat(600_000), "t=1,v1=00", ["whsec_fuzz"]);
    expect(oversized.status).toBe(413);
    expect(await db.pspWebhookEvent.count()).toBe(0);
    expect(await tableSizes()).toBe(before);
  });
});
