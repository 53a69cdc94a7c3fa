// Calls every tRPC procedure as anonymous, buyer, seller and finance and checks the outcome
// against one table. A procedure without a row fails the test, so none can be added unguarded.
import { TRPCError } from "@trpc/server";
import { describe, expect, it } from "vitest";
import { appRouter } from "@/server/root";
import { callerAs, createUser } from "@/server/test/callers";
import { createTestDatabase } from "@/server/test/database";
import { accessTable, everyone, type Role } from "./access-table";

const { db } = await createTestDatabase();
process.env.PAYRAIL_RATE_LIMITS = "off";
const users = {
  BUYER: await createUser(db, "BUYER"),
  SELLER: await createUser(db, "SELLER"),
  FINANCE: await createUser(db, "FINANCE"),
};
const procedures = Object.keys(appRouter._def.procedures);

async function outcome(role: Role, path: string): Promise<string> {
  const caller = await callerAs(db, role === "anonymous" ? undefined : users[role].user.id);
  const procedure = path
    .split(".")
    .reduce<unknown>((node, key) => (node as Record<string, unknown>)[key], caller) as (
    input: unknown,
  ) => Promise<unknown>;
  try {
    await procedure(undefined);
    return "OK";
  } catch (error) {
    return error instanceof TRPCError ? error.code : `THREW ${(error as Error).message}`;
  }
}

describe("authorization matrix", () => {
  it("has a row for every procedure and no stale rows", () => {
    expect([...procedures].sort()).toEqual(Object.keys(accessTable).sort());
  });

  for (const path of procedures) {
    it(`${path}: only ${accessTable[path]?.join(", ") ?? "nobody"}`, async () => {
      for (const role of everyone) {
        const result = await outcome(role, path);
        if (accessTable[path]?.includes(role)) {
          // Allowed: the call gets past the role check (a missing input is a 400, never a 500).
          expect(["UNAUTHORIZED", "FORBIDDEN", "INTERNAL_SERVER_ERROR"], `${role} on ${path}`).not.toContain(
            result,
          );
          expect(result, `${role} on ${path}`).not.toMatch(/^THREW/);
        } else {
          expect(result, `${role} on ${path}`).toBe(role === "anonymous" ? "UNAUTHORIZED" : "FORBIDDEN");
        }
      }
    });
  }
});
