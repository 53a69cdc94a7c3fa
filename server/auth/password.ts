// Passwords are hashed with argon2id (memory-hard), via @node-rs/argon2 (N-API: no build step).
import { hash, verify } from "@node-rs/argon2";

export const MIN_PASSWORD_LENGTH = 12;

// OWASP's argon2id baseline: 19 MiB, 2 iterations, 1 lane.
const options = { memoryCost: 19_456, timeCost: 2, parallelism: 1 } as const;

export function hashPassword(password: string): Promise<string> {
  return hash(password, options);
}

export function verifyPassword(passwordHash: string, password: string): Promise<boolean> {
  return verify(passwordHash, password).catch(() => false);
}

const weakPatterns = [/^(.)\1+$/, /^(0123456789|1234567890|password|qwerty|letmein|welcome)/i];

/** Basic breached-pattern checks on top of the length rule; returns a reason or null. */
export function passwordWeakness(password: string, email?: string): string | null {
  if (password.length < MIN_PASSWORD_LENGTH) return `Use at least ${MIN_PASSWORD_LENGTH} characters.`;
  if (weakPatterns.some((pattern) => pattern.test(password))) return "This password is too easy to guess.";
  const local = email?.split("@")[0]?.toLowerCase();
  if (local && local.length >= 4 && password.toLowerCase().includes(local)) {
    return "The password must not contain your email name.";
  }
  return null;
}
