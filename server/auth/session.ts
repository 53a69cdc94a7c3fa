// Server-side sessions: the cookie holds a random token, the database only its SHA-256, so a
// leaked table cannot be replayed. Idle and absolute timeouts; logout deletes the row.
import { createHash, randomBytes } from "node:crypto";
import type { DbOrTx } from "@/server/db";
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

/** The user behind a cookie token, or null when it is unknown, idle too long or past its end. */
export async function validateSession(db: DbOrTx, token: string | undefined): Promise<SessionUser | null> {
  if (!token) return null;
  const id = sessionId(token);
  const session = await db.session.findUnique({
    where: { id },
    include: { user: { include: { seller: { select: { id: true } } } } },
  });
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
  const { user } = session;
  return {
    id: user.id,
    email: user.email,
    name: user.name,
    role: user.role,
    sellerId: user.seller?.id ?? null,
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
