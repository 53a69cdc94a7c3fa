// A reconciliation run's mismatches as CSV, streamed in keyset batches: the next batch is read only
// when the client has taken the previous one (pull), so memory stays flat whatever the run's size.
import { stringify } from "csv-stringify/sync";
import { headers } from "next/headers";
import { createContext } from "@/server/trpc";

const BATCH = 1000;
const columns = [
  "id",
  "area",
  "outcome",
  "classification",
  "settlement_record_id",
  "psp_reference",
  "our_reference",
  "expected_amount",
  "actual_amount",
  "detail",
  "suggested_fix",
  "resolution",
  "resolved_by",
  "resolved_at",
  "note",
];

export async function GET(_request: Request, { params }: { params: Promise<{ id: string }> }) {
  const ctx = await createContext({ headers: await headers() });
  if (ctx.user?.role !== "FINANCE")
    return Response.json({ error: "Finance staff only" }, { status: ctx.user ? 403 : 401 });
  const { id } = await params;
  if (!/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(id))
    return Response.json({ error: "Not a run id" }, { status: 400 });
  if (!(await ctx.db.reconRun.findUnique({ where: { id }, select: { id: true } })))
    return Response.json({ error: "No such run" }, { status: 404 });

  const encoder = new TextEncoder();
  let cursor = 0n;
  const body = new ReadableStream<Uint8Array>({
    start(controller) {
      controller.enqueue(encoder.encode(stringify([columns])));
    },
    async pull(controller) {
      const items = await ctx.db.reconItem.findMany({
        where: { runId: id, id: { gt: cursor } },
        orderBy: { id: "asc" },
        take: BATCH,
      });
      if (items.length === 0) return controller.close();
      cursor = items.at(-1)!.id;
      const rows = items.map((item) => [
        item.id,
        item.area,
        item.outcome,
        item.classification,
        item.settlementRecordId,
        item.pspReference,
        item.ourReference,
        item.expectedAmount,
        item.actualAmount,
        item.detail,
        item.suggestedFix,
        item.resolution,
        item.resolvedBy,
        item.resolvedAt?.toISOString(),
        item.note,
      ]);
      controller.enqueue(encoder.encode(stringify(rows, { cast: { bigint: (value) => value.toString() } })));
    },
  });
  return new Response(body, {
    headers: {
      "content-type": "text/csv; charset=utf-8",
      "content-disposition": `attachment; filename="reconciliation-${id}.csv"`,
    },
  });
}
