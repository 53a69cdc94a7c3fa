// tRPC callers with a real context: a real session row behind each role, as a browser would have.
import type { PrismaClient } from "@/generated/prisma/client";
import { createSession, SESSION_COOKIE } from "@/server/auth/session";
import { createCaller } from "@/server/root";

export { createUser, TEST_PASSWORD } from "./factories";

import { createContext } from "@/server/trpc";

export type Caller = ReturnType<typeof createCaller>;

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
