// Request ids: kept apart from the logger so proxy.ts can use them without loading pino.
export const REQUEST_ID_HEADER = "x-request-id";

// A caller's id is kept only if it cannot smuggle anything into a log line or a header.
const validRequestId = /^[A-Za-z0-9._:-]{1,128}$/;

/** The request's id: a well-formed incoming X-Request-Id, else a fresh one. */
export function requestIdFrom(headers: Headers): string {
  const incoming = headers.get(REQUEST_ID_HEADER);
  return incoming && validRequestId.test(incoming) ? incoming : crypto.randomUUID();
}
