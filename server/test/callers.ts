// tRPC callers with a real context: a real session row behind each role, as a browser would have.
import type { PrismaClient } from "@/generated/prisma/client";
import { hashPassword } from "@/server/auth/password";
import { createSession, SESSION_COOKIE } from "@/server/auth/session";
import { createCaller } from "@/server/root";
import { createContext } from "@/server/trpc";

export type Caller = ReturnType<typeof createCaller>;

let cachedHash: Promise<string> | undefined;
export const TEST_PASSWORD = "correct horse battery staple";

export async function createUser(
  db: PrismaClient,
  role: "BUYER" | "SELLER" | "FINANCE",
  options: { email?: string; name?: string; commissionBps?: number } = {},
) {
  cachedHash ??= hashPassword(TEST_PASSWORD);
  const suffix = Math.random().toString(36).slice(2, 10);
  const user = await db.user.create({
    data: {
      email: options.email ?? `${role.toLowerCase()}-${suffix}@test.local`,
      name: options.name ?? `${role} ${suffix}`,
      role,
      passwordHash: await cachedHash,
    },
  });
  const seller =
    role === "SELLER"
      ? await db.seller.create({
          data: { userId: user.id, name: user.name, commissionBps: options.commissionBps ?? 1000 },
        })
      : null;
  return { user, seller };
}

/** A caller for one request carrying this session token (or none): a fresh context, as HTTP has. */
export async function callerWithToken(db: PrismaClient, token?: string, resHeaders: Headers | null = null) {
  const headers = new Headers();
  if (token) headers.set("cookie", `${SESSION_COOKIE}=${token}`);
  return createCaller(await createContext({ headers, resHeaders, db }));
}

/** A caller as the given user (through a real session), or anonymous. */
export async function callerAs(db: PrismaClient, userId?: string, resHeaders: Headers | null = null) {
  const token = userId ? (await createSession(db, userId)).token : undefined;
  return callerWithToken(db, token, resHeaders);
}

/** Signs in through a real session and returns the token, to make several requests with it. */
export async function sessionFor(db: PrismaClient, userId: string): Promise<string> {
  return (await createSession(db, userId)).token;
}
