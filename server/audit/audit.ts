// Writes to the hash-chained audit log, inside the caller's transaction so the record exists if
// and only if the change does. Writers serialize on a transaction-scoped advisory lock.
import { createHash } from "node:crypto";
import type { DbOrTx } from "@/server/db";

const AUDIT_LOCK = 7_240_612;
export const GENESIS_HASH = "0".repeat(64);

export interface AuditEntry {
  actorId: string | null;
  actorLabel: string;
  action: string;
  entity: string;
  entityId: string;
  before?: unknown;
  after?: unknown;
}

/** JSON with sorted keys and bigint as strings: the same content always hashes the same. */
export function canonicalJson(value: unknown): string {
  if (value === undefined || value === null) return "null";
  if (typeof value === "bigint") return JSON.stringify(value.toString());
  if (value instanceof Date) return JSON.stringify(value.toISOString());
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(",")}]`;
  if (typeof value === "object") {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, item]) => item !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([key, item]) => `${JSON.stringify(key)}:${canonicalJson(item)}`).join(",")}}`;
  }
  return JSON.stringify(value);
}

export function auditHash(prevHash: string, entry: AuditEntry, createdAt: Date): string {
  const content = canonicalJson({
    actorId: entry.actorId,
    actorLabel: entry.actorLabel,
    action: entry.action,
    entity: entry.entity,
    entityId: entry.entityId,
    before: entry.before ?? null,
    after: entry.after ?? null,
    createdAt,
  });
  return createHash("sha256").update(prevHash).update(content).digest("hex");
}

/** Appends one record to the chain. Call it inside the transaction that makes the change. */
export async function audit(tx: DbOrTx, entry: AuditEntry): Promise<void> {
  await tx.$executeRaw`SELECT pg_advisory_xact_lock(${AUDIT_LOCK})`;
  const last = await tx.auditLog.findFirst({ orderBy: { id: "desc" }, select: { hash: true } });
  const prevHash = last?.hash ?? GENESIS_HASH;
  const createdAt = new Date();
  const toJson = (value: unknown) => (value === undefined ? undefined : JSON.parse(canonicalJson(value)));
  await tx.auditLog.create({
    data: {
      actorId: entry.actorId,
      actorLabel: entry.actorLabel,
      action: entry.action,
      entity: entry.entity,
      entityId: entry.entityId,
      before: toJson(entry.before),
      after: toJson(entry.after),
      createdAt,
      prevHash,
      hash: auditHash(prevHash, entry, createdAt),
    },
  });
}
