"use client";
import { useMutation } from "@tanstack/react-query";
import { useTRPC } from "@/components/trpc";

export function LogoutButton() {
  const trpc = useTRPC();
  const logout = useMutation(
    trpc.auth.logout.mutationOptions({
      onSettled: () => {
        window.location.href = "/login";
      },
    }),
  );
  return (
    <button type="button" className="secondary" onClick={() => logout.mutate()} disabled={logout.isPending}>
      Sign out
    </button>
  );
}
