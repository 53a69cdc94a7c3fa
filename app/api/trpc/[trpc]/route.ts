import { fetchRequestHandler } from "@trpc/server/adapters/fetch";
import { env } from "@/server/env";
import { appRouter } from "@/server/root";
import { csrfRejection } from "@/server/security/csrf";
import { createContext } from "@/server/trpc";

function handler(request: Request) {
  const rejection = csrfRejection(request, env().APP_URL);
  if (rejection) {
    return Response.json({ error: { message: rejection, code: "FORBIDDEN" } }, { status: 403 });
  }
  return fetchRequestHandler({
    endpoint: "/api/trpc",
    req: request,
    router: appRouter,
    createContext: ({ resHeaders }) => createContext({ headers: request.headers, resHeaders }),
  });
}

export { handler as GET, handler as POST };
