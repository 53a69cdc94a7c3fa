import type { ReactNode } from "react";
import { requireRole } from "@/server/auth/require-role";

export const dynamic = "force-dynamic";

export default async function Layout({ children }: { children: ReactNode }) {
  await requireRole("BUYER");
  return children;
}
