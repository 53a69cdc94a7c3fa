// tRPC plumbing: the request context, domain-error mapping, and the ladder of procedures
// public → authed → seller / finance. Routers stay thin over services.
import { initTRPC, TRPCError } from "@trpc/server";
import superjson from "superjson";
import { ZodError } from "zod";
import { readCookie, SESSION_COOKIE, type SessionUser, validateSession } from "@/server/auth/session";
import type { Db } from "@/server/db";
import { getDb } from "@/server/db";
import { errorCodeFor } from "@/server/errors";
import {
  baseLogger,
  currentRequestId,
  type Logger,
  REQUEST_ID_HEADER,
  requestIdFrom,
  runWithLogger,
} from "@/server/log";

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
  /** This request's id, echoed in X-Request-Id and on every log line. */
  requestId: string;
  /** The logger bound to the request id. */
  log: Logger;
}

export async function createContext(opts: {
  headers: Headers;
  resHeaders?: Headers | null;
  db?: Db;
  requestId?: string;
}): Promise<Context> {
  const requestId = opts.requestId ?? currentRequestId() ?? requestIdFrom(opts.headers);
  opts.resHeaders?.set(REQUEST_ID_HEADER, requestId);
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
    requestId,
    log: baseLogger().child({ requestId }),
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

/** Errors already logged by `logCalls`, so the HTTP adapter's onError does not log them twice. */
export const loggedErrors = new WeakSet<object>();

/**
 * One line per call: path, type, duration and outcome code; an internal error with its cause.
 * Runs the call under the request's logger so services below log with its id.
 */
const logCalls = t.middleware(async ({ ctx, next, path, type }) => {
  const started = performance.now();
  const result = await runWithLogger(ctx.log, () => next(), ctx.requestId);
  const fields = { path, type, durationMs: Math.round(performance.now() - started) };
  if (result.ok) {
    ctx.log.info({ ...fields, code: "OK" }, "trpc call");
  } else {
    loggedErrors.add(result.error);
    if (result.error.code === "INTERNAL_SERVER_ERROR") {
      ctx.log.error(
        { ...fields, code: result.error.code, err: result.error.cause ?? result.error },
        "trpc call",
      );
    } else {
      ctx.log.info({ ...fields, code: result.error.code }, "trpc call");
    }
  }
  return result;
});

/** Maps domain errors to their codes; anything unknown stays a 500 (logged by `logCalls`). */
const mapDomainErrors = t.middleware(async ({ next }) => {
  const result = await next();
  if (!result.ok) {
    const cause = result.error.cause;
    const code = result.error.code === "INTERNAL_SERVER_ERROR" ? errorCodeFor(cause) : null;
    if (code) throw new TRPCError({ code, message: cause?.message ?? result.error.message, cause });
  }
  return result;
});

export const publicProcedure = t.procedure.use(logCalls).use(mapDomainErrors);

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
