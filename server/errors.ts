// Domain errors are plain classes; one tRPC middleware maps them to error codes (server/trpc.ts).
import type { TRPCError } from "@trpc/server";

export type ErrorCode = TRPCError["code"];

export class DomainError extends Error {
  constructor(
    message: string,
    readonly code: ErrorCode = "BAD_REQUEST",
  ) {
    super(message);
    this.name = new.target.name;
  }
}

export class NotFoundError extends DomainError {
  constructor(what: string) {
    super(`${what} not found`, "NOT_FOUND");
  }
}

export class IdempotencyConflictError extends DomainError {
  constructor(message = "This idempotency key was already used with different input") {
    super(message, "CONFLICT");
  }
}

export class InvalidTransitionError extends DomainError {
  constructor(entity: string, from: string, to: string) {
    super(`${entity} cannot move from ${from} to ${to}`, "CONFLICT");
  }
}

/** Errors thrown by domains that do not extend DomainError, by class name. */
const codesByName: Record<string, ErrorCode> = {
  LedgerConflictError: "CONFLICT",
  UnknownAccountError: "BAD_REQUEST",
  UnbalancedTransactionError: "BAD_REQUEST",
  InsufficientFundsError: "PRECONDITION_FAILED",
};

// PostgreSQL SQLSTATEs that mean the input was wrong, not the server.
const inputSqlStates = new Set(["22003", "22P02", "23514", "22001", "22007", "22008", "22021"]);

export function errorCodeFor(error: unknown): ErrorCode | null {
  if (error instanceof DomainError) return error.code;
  if (!(error instanceof Error)) return null;
  const byName = codesByName[error.name] ?? codesByName[error.constructor.name];
  if (byName) return byName;
  // A `pg` error carries its SQLSTATE as `code`; a Prisma one names it in the message.
  const code = (error as { code?: unknown }).code;
  if (typeof code === "string" && inputSqlStates.has(code)) return "BAD_REQUEST";
  const text = `${error.message} ${String((error as { cause?: unknown }).cause ?? "")}`;
  const sqlState = /\b(2[23][0-9A-Z]{3})\b/.exec(text)?.[1];
  if (sqlState && inputSqlStates.has(sqlState)) return "BAD_REQUEST";
  if (/out of range for (the )?type/i.test(text)) return "BAD_REQUEST";
  if (code === "P2002") return "CONFLICT";
  return null;
}
