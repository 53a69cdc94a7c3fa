// tRPC plumbing: the request context, domain-error mapping, and the ladder of procedures
// public → authed → seller / finance. Routers stay thin over services.
import { initTRPC, TRPCError } from "@trpc/server";
import superjson from "superjson";
import { ZodError } from "zod";
import { readCookie, SESSION_COOKIE, type SessionUser, validateSession } from "@/server/auth/session";
import type { Db } from "@/server/db";
import { getDb } from "@/server/db";
import { errorCodeFor } from "@/server/errors";

export interface Context {
  db: Db;
  user: SessionUser | null;
  /** The session token from the cookie, for logout and step-up. */
  sessionToken: string | undefined;
  /** Headers of the HTTP response (Set-Cookie); absent for server-side callers. */
  resHeaders: Headers | null;
  /** Whether the request came over TLS, so cookies get `Secure`. */
  secure: boolean;
  /** Client address for rate limits. */
  clientIp: string;
}

export async function createContext(opts: {
  headers: Headers;
  resHeaders?: Headers | null;
  db?: Db;
}): Promise<Context> {
  const db = opts.db ?? (await getDb());
  const sessionToken = readCookie(opts.headers.get("cookie"), SESSION_COOKIE);
  const user = await validateSession(db, sessionToken);
  const forwardedProto = opts.headers.get("x-forwarded-proto");
  return {
    db,
    user,
    sessionToken,
    resHeaders: opts.resHeaders ?? null,
    secure: forwardedProto === "https" || process.env.COOKIE_SECURE === "1",
    clientIp: opts.headers.get("x-forwarded-for")?.split(",")[0]?.trim() || "local",
  };
}

const t = initTRPC.context<Context>().create({
  transformer: superjson,
  errorFormatter({ shape, error }) {
    const zodError = error.cause instanceof ZodError ? error.cause : null;
    return {
      ...shape,
      data: {
        ...shape.data,
        stack: undefined,
        fieldErrors: zodError ? zodError.flatten().fieldErrors : null,
      },
    };
  },
});

export const createTRPCRouter = t.router;
export const createCallerFactory = t.createCallerFactory;

/** Maps domain errors to their codes; anything unknown stays a 500 and is logged once. */
const mapDomainErrors = t.middleware(async ({ next, path }) => {
  const result = await next();
  if (!result.ok) {
    const cause = result.error.cause;
    const code = result.error.code === "INTERNAL_SERVER_ERROR" ? errorCodeFor(cause) : null;
    if (code) throw new TRPCError({ code, message: cause?.message ?? result.error.message, cause });
    if (result.error.code === "INTERNAL_SERVER_ERROR" && process.env.LOG_LEVEL !== "error") {
      console.error(`[trpc] ${path}:`, cause ?? result.error);
    }
  }
  return result;
});

export const publicProcedure = t.procedure.use(mapDomainErrors);

export const authedProcedure = publicProcedure.use(({ ctx, next }) => {
  if (!ctx.user) throw new TRPCError({ code: "UNAUTHORIZED", message: "Sign in first" });
  return next({ ctx: { ...ctx, user: ctx.user } });
});

export const buyerProcedure = authedProcedure.use(({ ctx, next }) => {
  if (ctx.user.role !== "BUYER") throw new TRPCError({ code: "FORBIDDEN", message: "Buyers only" });
  return next();
});

export const sellerProcedure = authedProcedure.use(({ ctx, next }) => {
  const sellerId = ctx.user.sellerId;
  if (ctx.user.role !== "SELLER" || !sellerId)
    throw new TRPCError({ code: "FORBIDDEN", message: "Sellers only" });
  return next({ ctx: { ...ctx, sellerId } });
});

export const financeProcedure = authedProcedure.use(({ ctx, next }) => {
  if (ctx.user.role !== "FINANCE") throw new TRPCError({ code: "FORBIDDEN", message: "Finance staff only" });
  return next();
});
