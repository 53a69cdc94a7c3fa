// The tRPC caller for server components: same procedures, same rules, no HTTP hop.
import "server-only";
import { headers } from "next/headers";
import { cache } from "react";
import { createCaller } from "@/server/root";
import { createContext } from "@/server/trpc";

export const serverCaller = cache(async () =>
  createCaller(await createContext({ headers: await headers() })),
);
