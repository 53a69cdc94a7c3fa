// The CSV report of a payout run, for finance staff only (the session cookie is checked the way
// tRPC's createContext does it).
import { z } from "zod";
import { readCookie, SESSION_COOKIE, validateSession } from "@/server/auth/session";
import { getDb } from "@/server/db";
import { NotFoundError } from "@/server/errors";
import { payoutRunReport } from "@/server/payout/report";

export const dynamic = "force-dynamic";

export async function GET(request: Request, { params }: { params: Promise<{ id: string }> }) {
  const db = await getDb();
  const user = await validateSession(db, readCookie(request.headers.get("cookie"), SESSION_COOKIE));
  if (!user) return Response.json({ error: "Sign in first" }, { status: 401 });
  if (user.role !== "FINANCE") return Response.json({ error: "Finance staff only" }, { status: 403 });
  const { id } = await params;
  if (!z.string().uuid().safeParse(id).success)
    return Response.json({ error: "Invalid run id" }, { status: 400 });
  try {
    const body = await payoutRunReport(db, id);
    return new Response(body, {
      headers: {
        "content-type": "text/csv; charset=utf-8",
        "content-disposition": `attachment; filename="payout-run-${id}.csv"`,
        "cache-control": "no-store",
      },
    });
  } catch (error) {
    if (error instanceof NotFoundError) return Response.json({ error: error.message }, { status: 404 });
    throw error;
  }
}
