import { describe, expect, it } from "vitest";
import { callerAs } from "@/server/test/callers";
import { createTestDatabase } from "@/server/test/database";
import { createUser } from "@/server/test/factories";
import { audit, canonicalJson } from "./audit";
import { listAuditLog } from "./list";
import { verifyAuditChain } from "./verify";

const { db, sql } = await createTestDatabase();

async function writeSome(count: number) {
  for (let index = 0; index < count; index++) {
    await db.$transaction((tx) =>
      audit(tx, {
        actorId: null,
        actorLabel: "test",
        action: "refund.request",
        entity: "payment_order",
        entityId: `order-${index}`,
        before: { refundedAmount: 0n },
        after: { refundedAmount: 1999n, at: new Date("2026-12-05T00:00:00Z") },
      }),
    );
  }
}

describe("audit log", () => {
  it("chains every record to the one before and verifies", async () => {
    await writeSome(5);
    expect(await verifyAuditChain(db)).toEqual({ ok: true, checked: 5, brokenAt: null });
  });

  it("refuses updates, deletes and truncation in the database itself", async () => {
    await expect(sql.query(`UPDATE audit_log SET action = 'x'`)).rejects.toThrow(/append-only/);
    await expect(sql.query(`DELETE FROM audit_log`)).rejects.toThrow(/append-only/);
    await expect(sql.query(`TRUNCATE audit_log`)).rejects.toThrow(/append-only/);
  });

  it("detects a record edited behind the triggers' back", async () => {
    await sql.query(`ALTER TABLE audit_log DISABLE TRIGGER audit_log_no_update`);
    await sql.query(
      `UPDATE audit_log SET after = '{"refundedAmount":"1"}' WHERE id = (SELECT min(id) + 2 FROM audit_log)`,
    );
    await sql.query(`ALTER TABLE audit_log ENABLE TRIGGER audit_log_no_update`);
    const result = await verifyAuditChain(db);
    expect(result.ok).toBe(false);
    expect(result.checked).toBe(2);
  });

  it("serializes concurrent writers into one unbroken chain", async () => {
    const fresh = await createTestDatabase();
    await Promise.all(
      Array.from({ length: 12 }, (_, index) =>
        fresh.db.$transaction((tx) =>
          audit(tx, { actorId: null, actorLabel: "t", action: "a", entity: "e", entityId: String(index) }),
        ),
      ),
    );
    expect(await verifyAuditChain(fresh.db)).toMatchObject({ ok: true, checked: 12 });
  });

  it("hashes the same content the same way whatever the key order", () => {
    expect(canonicalJson({ b: 1n, a: [new Date(0), null] })).toBe(
      canonicalJson({ a: [new Date(0), null], b: 1n }),
    );
  });

  it("lists newest first, narrowed to a kind of subject and an id's start, matched as typed", async () => {
    const subjects = [
      ["payout_run", "a_b-1"],
      ["payout_run", "axb-2"],
      ["recon_item", "a_b-3"],
    ] as const;
    for (const [entity, entityId] of subjects) {
      await db.$transaction((tx) =>
        audit(tx, { actorId: null, actorLabel: "t", action: "x", entity, entityId }),
      );
    }
    const ids = async (input: { entity?: string; entityId?: string }) =>
      (await listAuditLog(db, { limit: 100, ...input })).items
        .filter((row) => row.action === "x")
        .map((row) => row.entityId);
    expect(await ids({})).toEqual(["a_b-3", "axb-2", "a_b-1"]);
    expect(await ids({ entity: "payout_run" })).toEqual(["axb-2", "a_b-1"]);
    // "_" is an underscore here, not LIKE's any-character.
    expect(await ids({ entityId: "a_" })).toEqual(["a_b-3", "a_b-1"]);
    expect(await ids({ entity: "payout_run", entityId: "a_b" })).toEqual(["a_b-1"]);
    expect(await ids({ entityId: "%" })).toEqual([]);
  });

  it("pages by id with no gaps or repeats", async () => {
    const seen: bigint[] = [];
    let cursor: bigint | undefined;
    do {
      const page = await listAuditLog(db, { limit: 3, cursor });
      seen.push(...page.items.map((row) => row.id));
      cursor = page.nextCursor;
    } while (cursor);
    const all = (await db.auditLog.findMany({ select: { id: true }, orderBy: { id: "desc" } })).map(
      (row) => row.id,
    );
    expect(seen).toEqual(all);
  });

  it("answers a bad filter with BAD_REQUEST and a field message, and only finance may read", async () => {
    const finance = await callerAs(db, (await createUser(db, "FINANCE")).user.id);
    await expect(finance.audit.list({ entityId: "a%b" })).rejects.toMatchObject({
      code: "BAD_REQUEST",
      message: expect.stringContaining("Letters, digits"),
    });
    await expect(finance.audit.list({ entity: "x".repeat(65) })).rejects.toMatchObject({
      code: "BAD_REQUEST",
    });
    const seller = await callerAs(db, (await createUser(db, "SELLER")).user.id);
    await expect(seller.audit.list({})).rejects.toMatchObject({ code: "FORBIDDEN" });
  });
});
