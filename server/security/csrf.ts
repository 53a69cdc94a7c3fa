// CSRF defence for tRPC mutations: a cross-site form cannot send `application/json`, and a
// cross-site fetch carries a foreign Origin. Both are refused before any procedure runs.
export function csrfRejection(request: Request, appUrl: string): string | null {
  if (request.method !== "POST") return null;
  const contentType = request.headers.get("content-type") ?? "";
  if (!contentType.toLowerCase().startsWith("application/json")) return "Mutations must be sent as JSON";
  const origin = request.headers.get("origin");
  if (origin === null) return null; // same-origin non-browser clients (server callers, tests) send none
  const allowed = new Set([new URL(appUrl).origin]);
  const host = request.headers.get("host");
  if (host) {
    allowed.add(`http://${host}`);
    allowed.add(`https://${host}`);
  }
  return allowed.has(origin) ? null : "Cross-site request refused";
}
