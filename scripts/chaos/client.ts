// A signed-in tRPC client over HTTP, as a browser would use the app.
import { createTRPCClient, httpLink } from "@trpc/client";
import superjson from "superjson";
import type { AppRouter } from "@/server/root";

export type Client = ReturnType<typeof createTRPCClient<AppRouter>>;

export async function signedInClient(appUrl: string, email: string, password: string): Promise<Client> {
  const response = await fetch(`${appUrl}/api/trpc/auth.login`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(superjson.serialize({ email, password })),
  });
  const cookie = response.headers.get("set-cookie")?.split(";")[0];
  if (!response.ok || !cookie) throw new Error(`login of ${email} failed: ${response.status}`);
  return createTRPCClient<AppRouter>({
    links: [httpLink({ url: `${appUrl}/api/trpc`, transformer: superjson, headers: () => ({ cookie }) })],
  });
}
