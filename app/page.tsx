import { redirect } from "next/navigation";
import { homeFor } from "@/server/auth/service";
import { serverCaller } from "@/server/caller";

export default async function Home() {
  const user = await (await serverCaller()).auth.me();
  redirect(user ? homeFor(user.role) : "/login");
}
