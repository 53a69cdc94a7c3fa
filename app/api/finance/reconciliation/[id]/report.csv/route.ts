// A reconciliation run's mismatches as CSV, streamed in keyset batches.
import { stringify } from "csv-stringify";
import { headers } from "next/headers";
import { createContext } from "@/server/trpc";

export async function GET(_request: Request, { params }: { params: Promise<{ id: string }> }) {
  const ctx = await createContext({ headers: await headers() });
  if (ctx.user?.role !== "FINANCE")
    return Response.json({ error: "Finance staff only" }, { status: ctx.user ? 403 : 401 });
  const { id } = await params;
  if (!/^[0-9a-f-]{36}$/i.test(id)) return Response.json({ error: "Not a run id" }, { status: 400 });
  const columns = [
    "id",
    "area",
    "outcome",
    "classification",
    "psp_reference",
    "our_reference",
    "expected_amount",
    "actual_amount",
    "detail",
    "suggested_fix",
    "resolution",
    "note",
  ];
  const csv = stringify({ header: true, columns });
  (async () => {
    let cursor = 0n;
    for (;;) {
      const items = await ctx.db.reconItem.findMany({
        where: { runId: id, id: { gt: cursor } },
        orderBy: { id: "asc" },
        take: 1000,
      });
      if (items.length === 0) break;
      for (const item of items) {
        csv.write([
          item.id,
          item.area,
          item.outcome,
          item.classification,
          item.pspReference,
          item.ourReference,
          item.expectedAmount,
          item.actualAmount,
          item.detail,
          item.suggestedFix,
          item.resolution,
          item.note,
        ]);
      }
      cursor = items.at(-1)!.id;
    }
    csv.end();
  })().catch((error) => csv.destroy(error));
  const body = new ReadableStream({
    start(controller) {
      csv.on("data", (chunk: Buffer) => controller.enqueue(chunk));
      csv.on("end", () => controller.close());
      csv.on("error", (error) => controller.error(error));
    },
  });
  return new Response(body, {
    headers: {
      "content-type": "text/csv; charset=utf-8",
      "content-disposition": `attachment; filename="reconciliation-${id}.csv"`,
    },
  });
}
