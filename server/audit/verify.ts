// Walks the audit chain in id order and recomputes every hash; any edit, insertion or deletion
// shows up as the first row whose hash or link does not match.
import type { DbOrTx } from "@/server/db";
import { auditHash, GENESIS_HASH } from "./audit";

export async function verifyAuditChain(
  db: DbOrTx,
): Promise<{ ok: boolean; checked: number; brokenAt: bigint | null }> {
  let prevHash = GENESIS_HASH;
  let cursor = 0n;
  let checked = 0;
  for (;;) {
    const rows = await db.auditLog.findMany({
      where: { id: { gt: cursor } },
      orderBy: { id: "asc" },
      take: 1000,
    });
    if (rows.length === 0) return { ok: true, checked, brokenAt: null };
    for (const row of rows) {
      const expected = auditHash(
        prevHash,
        {
          actorId: row.actorId,
          actorLabel: row.actorLabel,
          action: row.action,
          entity: row.entity,
          entityId: row.entityId,
          before: row.before,
          after: row.after,
        },
        row.createdAt,
      );
      if (row.prevHash !== prevHash || row.hash !== expected) return { ok: false, checked, brokenAt: row.id };
      prevHash = row.hash;
      checked++;
      cursor = row.id;
    }
  }
}
