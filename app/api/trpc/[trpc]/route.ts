import { fetchRequestHandler } from "@trpc/server/adapters/fetch";
import { env } from "@/server/env";
import { log, REQUEST_ID_HEADER, requestIdFrom, withRequestId } from "@/server/log";
import { appRouter } from "@/server/root";
import { csrfRejection } from "@/server/security/csrf";
import { createContext, loggedErrors } from "@/server/trpc";

function handler(request: Request) {
  const requestId = requestIdFrom(request.headers);
  return withRequestId(requestId, async () => {
    const rejection = csrfRejection(request, env().APP_URL);
    if (rejection) {
      log().warn(
        { method: request.method, path: new URL(request.url).pathname, code: "FORBIDDEN" },
        rejection,
      );
      return Response.json(
        { error: { message: rejection, code: "FORBIDDEN" } },
        { status: 403, headers: { [REQUEST_ID_HEADER]: requestId } },
      );
    }
    const response = await fetchRequestHandler({
      endpoint: "/api/trpc",
      req: request,
      router: appRouter,
      createContext: ({ resHeaders }) => createContext({ headers: request.headers, resHeaders, requestId }),
      // Calls that reached a procedure were logged by it; this catches the rest (unknown path,
      // unparsable body, wrong method), which never get that far.
      onError: ({ error, path, type }) => {
        if (loggedErrors.has(error)) return;
        const level = error.code === "INTERNAL_SERVER_ERROR" ? "error" : "info";
        log()[level]({ path, type, code: error.code, err: error.cause ?? error }, "trpc call");
      },
    });
    // Also set here: a request refused before its context exists still carries the id.
    response.headers.set(REQUEST_ID_HEADER, requestId);
    return response;
  });
}

export { handler as GET, handler as POST };
