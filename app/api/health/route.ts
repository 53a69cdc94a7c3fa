// Liveness and readiness for load balancers and process managers: no auth, nothing sensitive.
import { getDb } from "@/server/db";
import { healthResponse, jobStats } from "@/server/health";
import { requestIdFrom, withRequestId } from "@/server/log";

export const dynamic = "force-dynamic";

export function GET(request: Request) {
  const requestId = requestIdFrom(request.headers);
  return withRequestId(requestId, () => healthResponse({ db: getDb, jobs: jobStats }, requestId));
}
