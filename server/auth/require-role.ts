import "server-only";
import { redirect } from "next/navigation";
import { serverCaller } from "@/server/caller";
import type { SessionUser } from "./session";

/** For role layouts: the signed-in user with this role, or a redirect to the login page. */
export async function requireRole(role: SessionUser["role"]): Promise<SessionUser> {
  const user = await (await serverCaller()).auth.me();
  if (!user) redirect("/login");
  if (user.role !== role) redirect("/");
  return user;
}
