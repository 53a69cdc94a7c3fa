// Server-side sessions: the cookie holds a random token, the database only its SHA-256, so a
// leaked table cannot be replayed. Idle and absolute timeouts; logout deletes the row.
import { createHash, randomBytes } from "node:crypto";
import { type DbOrTx, hotQuery, preparedStatement } from "@/server/db";
import { groupCommitPerDb, type Settled } from "@/server/db/group-commit";
import { env } from "@/server/env";

export const SESSION_COOKIE = "payrail_session";

export interface SessionUser {
  id: string;
  email: string;
  name: string;
  role: "BUYER" | "SELLER" | "FINANCE";
  sellerId: string | null;
}

function sessionId(token: string): string {
  return createHash("sha256").update(token).digest("hex");
}

export async function createSession(db: DbOrTx, userId: string): Promise<{ token: string; expiresAt: Date }> {
  const token = randomBytes(32).toString("base64url");
  const expiresAt = new Date(Date.now() + env().SESSION_ABSOLUTE_HOURS * 3_600_000);
  await db.session.create({ data: { id: sessionId(token), userId, expiresAt } });
  return { token, expiresAt };
}

type SessionRow = SessionUser & { sessionId: string; expiresAt: Date; lastSeenAt: Date };

// Every signed-in request reads its session: one statement for the session, its user and seller,
// prepared by name, and shared by the requests that arrive at the same moment (one round trip
// for many under load, none added for a lone request).
const SESSION_USERS = preparedStatement(
  "session_users",
  `SELECT s.id AS "sessionId", s.expires_at AS "expiresAt", s.last_seen_at AS "lastSeenAt",
          u.id, u.email, u.name, u.role::text AS role, sl.id AS "sellerId"
     FROM session s JOIN app_user u ON u.id = s.user_id LEFT JOIN seller sl ON sl.user_id = u.id
    WHERE s.id = ANY ($1::text[])`,
);

const readSession = groupCommitPerDb(
  async (db: DbOrTx, ids: string[]): Promise<Settled<SessionRow | null>[]> => {
    const rows = await hotQuery<SessionRow>(db, SESSION_USERS, ids);
    const byId = new Map(rows.map((row) => [row.sessionId, row]));
    return ids.map((id) => ({ ok: true, value: byId.get(id) ?? null }));
  },
  100,
);

/** The user behind a cookie token, or null when it is unknown, idle too long or past its end. */
export async function validateSession(db: DbOrTx, token: string | undefined): Promise<SessionUser | null> {
  if (!token) return null;
  const id = sessionId(token);
  const session = await readSession(db, id);
  if (!session) return null;
  const now = Date.now();
  const idleLimit = env().SESSION_IDLE_MINUTES * 60_000;
  if (session.expiresAt.getTime() <= now || now - session.lastSeenAt.getTime() > idleLimit) {
    await db.session.deleteMany({ where: { id } });
    return null;
  }
  // Touch at most once a minute so reads do not turn into a write each.
  if (now - session.lastSeenAt.getTime() > 60_000) {
    await db.session.update({ where: { id }, data: { lastSeenAt: new Date(now) } });
  }
  return {
    id: session.id,
    email: session.email,
    name: session.name,
    role: session.role,
    sellerId: session.sellerId,
  };
}

export async function invalidateSession(db: DbOrTx, token: string): Promise<void> {
  await db.session.deleteMany({ where: { id: sessionId(token) } });
}

export function sessionCookie(token: string, expiresAt: Date, secure: boolean): string {
  const parts = [
    `${SESSION_COOKIE}=${token}`,
    "Path=/",
    "HttpOnly",
    "SameSite=Lax",
    `Expires=${expiresAt.toUTCString()}`,
  ];
  if (secure) parts.push("Secure");
  return parts.join("; ");
}

export function clearedSessionCookie(secure: boolean): string {
  return `${SESSION_COOKIE}=; Path=/; HttpOnly; SameSite=Lax; Max-Age=0${secure ? "; Secure" : ""}`;
}

export function readCookie(header: string | null, name: string): string | undefined {
  if (!header) return undefined;
  for (const part of header.split(";")) {
    const [key, ...rest] = part.trim().split("=");
    if (key === name) return rest.join("=");
  }
  return undefined;
}
