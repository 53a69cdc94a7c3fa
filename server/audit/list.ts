// Finance's audit log: newest first, a page at a time, narrowed to one kind of subject and/or the
// subjects whose id starts with what was typed (the tables show ids shortened to their start).
import { type DbOrTx, likeLiteral } from "@/server/db";

export interface AuditListInput {
  entity?: string;
  entityId?: string;
  cursor?: bigint;
  limit: number;
}

export async function listAuditLog(db: DbOrTx, input: AuditListInput) {
  const rows = await db.auditLog.findMany({
    where: {
      ...(input.entity ? { entity: input.entity } : {}),
      ...(input.entityId ? { entityId: { startsWith: likeLiteral(input.entityId) } } : {}),
      ...(input.cursor ? { id: { lt: input.cursor } } : {}),
    },
    orderBy: { id: "desc" },
    take: input.limit + 1, // one more, to know whether another page follows
  });
  return {
    items: rows.slice(0, input.limit),
    nextCursor: rows.length > input.limit ? rows[input.limit - 1]!.id : undefined,
  };
}
