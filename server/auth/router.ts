import { enforceRateLimit } from "@/server/security/rate-limit";
import { authedProcedure, createTRPCRouter, publicProcedure } from "@/server/trpc";
import { loginInput } from "./schemas";
import { homeFor, login } from "./service";
import { clearedSessionCookie, invalidateSession, sessionCookie } from "./session";

export const authRouter = createTRPCRouter({
  login: publicProcedure.input(loginInput).mutation(async ({ ctx, input }) => {
    await enforceRateLimit("login", `${ctx.clientIp}:${input.email}`, ctx.resHeaders);
    const session = await login(ctx.db, input.email, input.password);
    // Replace any session the browser already had, server-side too.
    if (ctx.sessionToken) await invalidateSession(ctx.db, ctx.sessionToken);
    ctx.resHeaders?.append("Set-Cookie", sessionCookie(session.token, session.expiresAt, ctx.secure));
    return { home: homeFor(session.role) };
  }),
  logout: authedProcedure.mutation(async ({ ctx }) => {
    if (ctx.sessionToken) await invalidateSession(ctx.db, ctx.sessionToken);
    ctx.resHeaders?.append("Set-Cookie", clearedSessionCookie(ctx.secure));
    return { ok: true };
  }),
  me: publicProcedure.query(({ ctx }) => ctx.user),
});
