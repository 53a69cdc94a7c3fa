// Structured JSON logs (pino), one object per line on stdout. Every line written while a request
// or a job is being handled carries its requestId (or job name and id): the context travels in
// AsyncLocalStorage, so services deep down call `log()` without threading anything through.
import { AsyncLocalStorage } from "node:async_hooks";
import { type DestinationStream, type Level, type Logger, pino } from "pino";
import { logLevel } from "@/server/env";
import { maskCardNumbers } from "@/server/security/card-scan";

export { REQUEST_ID_HEADER, requestIdFrom } from "@/server/request-id";
export type { Logger };

// Keys whose values never reach a log line, at the top level and two levels down.
const secretKeys = [
  "password",
  "currentPassword",
  "newPassword",
  "passwordHash",
  "token",
  "sessionToken",
  "secret",
  "apiKey",
  "authorization",
  "cookie",
  '["set-cookie"]',
  '["stripe-signature"]',
  "card",
  "cardNumber",
  "cvc",
];
export const redactPaths = secretKeys.flatMap((key) => {
  const dotted = key.startsWith("[") ? key : `.${key}`;
  return [key, `*${dotted}`, `*.*${dotted}`];
});

export interface LoggerOptions {
  level?: Level | "silent";
  /** Where the lines go; stdout by default. Tests pass a stream to read them back. */
  destination?: DestinationStream;
}

export function createLogger(options: LoggerOptions = {}): Logger {
  const config = {
    level: options.level ?? logLevel(),
    timestamp: pino.stdTimeFunctions.isoTime,
    // Level names rather than numbers: readable without pino's tooling.
    formatters: { level: (label: string) => ({ level: label }) },
    serializers: { err: pino.stdSerializers.errWithCause },
    redact: { paths: redactPaths, censor: "[redacted]" },
    // Last line of defence for SAQ A: a card number in any message or field is masked.
    hooks: { streamWrite: maskCardNumbers },
  };
  return options.destination ? pino(config, options.destination) : pino(config);
}

interface LogContext {
  logger: Logger;
  requestId?: string;
}

// Shared through globalThis: Next's bundle and the custom server load this module separately in
// one process, and a request entering one must be seen by services loaded by the other.
const key = Symbol.for("payrail.log");
type Holder = { [key]?: { storage: AsyncLocalStorage<LogContext>; base?: Logger } };

function state() {
  const holder = globalThis as Holder;
  holder[key] ??= { storage: new AsyncLocalStorage<LogContext>() };
  return holder[key];
}

/** The process-wide logger, at LOG_LEVEL. */
export function baseLogger(): Logger {
  const current = state();
  current.base ??= createLogger();
  return current.base;
}

/** Replaces the process-wide logger (tests capture lines this way). */
export function setBaseLogger(logger: Logger): void {
  state().base = logger;
}

/** The logger for whatever is running now: bound to its request or job, else the base logger. */
export function log(): Logger {
  return state().storage.getStore()?.logger ?? baseLogger();
}

export function currentRequestId(): string | undefined {
  return state().storage.getStore()?.requestId;
}

/** Runs `fn` with `logger` as the current logger (and its request id, if any). */
export function runWithLogger<T>(logger: Logger, fn: () => T, requestId = currentRequestId()): T {
  return state().storage.run({ logger, requestId }, fn);
}

/** Runs `fn` under a request id: every line logged inside carries it. */
export function withRequestId<T>(requestId: string, fn: () => T): T {
  return runWithLogger(baseLogger().child({ requestId }), fn, requestId);
}

/** Runs `fn` with extra fields (a job's name and id) on every line logged inside. */
export function withLogFields<T>(fields: Record<string, unknown>, fn: () => T): T {
  return runWithLogger(log().child(fields), fn);
}
