// A seller's statement as CSV, streamed: the body pulls keyset batches from the ledger only as
// fast as the client reads, so the file is never built in memory.
import { stringify } from "csv-stringify/sync";
import { headers } from "next/headers";
import { z } from "zod";
import { dayRange } from "@/server/days";
import { statementLines } from "@/server/ledger/queries";
import { createContext } from "@/server/trpc";
import { statementPeriodInput } from "@/server/wallet/schemas";
import { STATEMENT_CSV_COLUMNS, statementCsvRow } from "@/server/wallet/statement-csv";

export const dynamic = "force-dynamic";

/** Lines stringified per pull; the generator itself reads the database 1,000 at a time. */
const CHUNK = 200;

export async function GET(request: Request) {
  const ctx = await createContext({ headers: await headers() });
  const sellerId = ctx.user?.role === "SELLER" ? ctx.user.sellerId : null;
  if (!sellerId) return Response.json({ error: "Sellers only" }, { status: ctx.user ? 403 : 401 });
  const parsed = statementPeriodInput.safeParse(
    Object.fromEntries(new URL(request.url).searchParams), // bucket, from, to
  );
  if (!parsed.success) return Response.json({ error: z.prettifyError(parsed.error) }, { status: 400 });
  const { bucket, from, to } = parsed.data;
  // Always the caller's own account: the seller id comes from the session, never from the request.
  const code = `seller_${bucket}:${sellerId}`;
  const account = await ctx.db.ledgerAccount.findUnique({ where: { code }, select: { currency: true } });
  const lines = account ? statementLines(ctx.db, code, undefined, dayRange(from, to)) : null;
  const currency = account?.currency.trim() ?? "";
  const encoder = new TextEncoder();
  let headerSent = false;

  const body = new ReadableStream<Uint8Array>({
    async pull(controller) {
      if (!headerSent) {
        headerSent = true;
        controller.enqueue(encoder.encode(stringify([STATEMENT_CSV_COLUMNS])));
        return;
      }
      const rows: string[][] = [];
      while (lines && rows.length < CHUNK) {
        const next = await lines.next();
        if (next.done) break;
        rows.push(statementCsvRow(next.value, currency));
      }
      if (rows.length > 0) controller.enqueue(encoder.encode(stringify(rows)));
      if (rows.length < CHUNK) controller.close();
    },
    async cancel() {
      await lines?.return(undefined);
    },
  });
  return new Response(body, {
    headers: {
      "content-type": "text/csv; charset=utf-8",
      "content-disposition": `attachment; filename="statement-${[bucket, from, to].filter(Boolean).join("-")}.csv"`,
      "cache-control": "no-store",
    },
  });
}
