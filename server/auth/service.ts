import type { DbOrTx } from "@/server/db";
import { DomainError } from "@/server/errors";
import { hashPassword, verifyPassword } from "./password";
import { createSession } from "./session";

export class InvalidCredentialsError extends DomainError {
  constructor() {
    super("Email or password is wrong", "UNAUTHORIZED");
  }
}

// Verifying against a real hash when the user is unknown keeps response times alike, so the
// login form does not reveal which emails exist.
let decoyHash: Promise<string> | undefined;

/** Checks the password and opens a fresh session (a new id at every login: no fixation). */
export async function login(db: DbOrTx, email: string, password: string) {
  const user = await db.user.findUnique({ where: { email } });
  decoyHash ??= hashPassword("decoy-password-never-used");
  const ok = await verifyPassword(user?.passwordHash ?? (await decoyHash), password);
  if (!user || !ok) throw new InvalidCredentialsError();
  const session = await createSession(db, user.id);
  return { ...session, role: user.role };
}

export function homeFor(role: "BUYER" | "SELLER" | "FINANCE"): string {
  return role === "BUYER" ? "/shop" : role === "SELLER" ? "/seller" : "/finance";
}
