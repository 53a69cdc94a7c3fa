// A seller's statement as CSV, streamed in keyset batches: never built in memory.
import { stringify } from "csv-stringify";
import { headers } from "next/headers";
import { statementLines } from "@/server/ledger/queries";
import { createContext } from "@/server/trpc";

export async function GET(request: Request) {
  const ctx = await createContext({ headers: await headers() });
  const sellerId = ctx.user?.role === "SELLER" ? ctx.user.sellerId : null;
  if (!sellerId) return Response.json({ error: "Sellers only" }, { status: ctx.user ? 403 : 401 });
  const bucket = new URL(request.url).searchParams.get("bucket") === "pending" ? "pending" : "available";
  const code = `seller_${bucket}:${sellerId}`;
  const exists = await ctx.db.ledgerAccount.count({ where: { code } });
  const csv = stringify({
    header: true,
    columns: ["entry_id", "created_at", "kind", "reference", "description", "amount_minor", "balance_minor"],
  });
  (async () => {
    if (exists) {
      for await (const line of statementLines(ctx.db, code)) {
        const ok = csv.write([
          line.entryId,
          line.createdAt.toISOString(),
          line.kind,
          line.reference,
          line.description,
          line.change,
          line.balance,
        ]);
        if (!ok) await new Promise((resolve) => csv.once("drain", resolve));
      }
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
      "content-disposition": `attachment; filename="statement-${bucket}.csv"`,
    },
  });
}
