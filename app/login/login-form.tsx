"use client";
import { useMutation } from "@tanstack/react-query";
import { type FormEvent, useState } from "react";
import { useTRPC } from "@/components/trpc";

export function LoginForm() {
  const trpc = useTRPC();
  const [error, setError] = useState<string | null>(null);
  const login = useMutation(
    trpc.auth.login.mutationOptions({
      onSuccess: ({ home }) => {
        window.location.href = home;
      },
      onError: (failure) => setError(failure.message),
    }),
  );
  function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    setError(null);
    login.mutate({ email: String(form.get("email")), password: String(form.get("password")) });
  }
  return (
    <form className="stack" onSubmit={submit}>
      <label>
        Email
        <input name="email" type="email" autoComplete="username" required />
      </label>
      <label>
        Password
        <input name="password" type="password" autoComplete="current-password" required />
      </label>
      {error && (
        <p className="error" role="alert">
          {error}
        </p>
      )}
      <button type="submit" disabled={login.isPending}>
        {login.isPending ? "Signing in…" : "Sign in"}
      </button>
    </form>
  );
}
