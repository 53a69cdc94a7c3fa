// The environment, parsed once at start-up. Everything configurable lives here with its default.
import { z } from "zod";

const logLevelSchema = z.enum(["debug", "info", "warn", "error"]).default("info");
/** Days from shipping until a paid order's funds become available; fractions allowed (the demo). */
const holdDaysSchema = z.coerce.number().min(0).default(7);

const envSchema = z
  .object({
    NODE_ENV: z.enum(["development", "test", "production"]).default("development"),
    DATABASE_URL: z.string().url().optional(),
    /**
     * Public base URL of the app, used for PSP return URLs, the webhook endpoint and the CSRF origin
     * check. Defaults to the loopback address on PORT.
     */
    APP_URL: z.string().url().optional(),
    PORT: z.coerce.number().int().positive().default(3000),
    CURRENCY: z
      .string()
      .regex(/^[a-z]{3}$/)
      .default("usd"),
    SESSION_IDLE_MINUTES: z.coerce.number().int().positive().default(30),
    SESSION_ABSOLUTE_HOURS: z.coerce.number().int().positive().default(12),
    /** The webhook signing secret (Stripe's name); the newest one during a rotation. */
    STRIPE_WEBHOOK_SECRET: z.string().optional(),
    /** Webhook signing secrets, comma-separated: the newest first; two during a rotation. */
    PSP_WEBHOOK_SECRETS: z.string().optional(),
    /**
     * How long a stored webhook event may stay unprocessed before the sweep (every minute) gives
     * it a processing job. The endpoint processes each event as soon as it is stored; the job only
     * covers a process that died first, so it must not race that processing (which would do the
     * work twice).
     */
    WEBHOOK_BACKUP_DELAY_SECONDS: z.coerce.number().int().min(0).default(10),
    PAYIN_HOLD_DAYS: holdDaysSchema,
    LOG_LEVEL: logLevelSchema,
  })
  .transform((parsed) => ({ ...parsed, APP_URL: parsed.APP_URL ?? `http://127.0.0.1:${parsed.PORT}` }));

export type Env = z.infer<typeof envSchema>;

let cached: Env | undefined;

export function env(): Env {
  cached ??= envSchema.parse(process.env);
  return cached;
}

/** The hold in milliseconds, read at each use (tests and the demo change it). */
export function payinHoldMs(): number {
  return holdDaysSchema.parse(process.env.PAYIN_HOLD_DAYS) * 86_400_000;
}

/** The log level alone: the logger must not freeze the rest of the env cache on its first line. */
export function logLevel(): Env["LOG_LEVEL"] {
  return logLevelSchema.parse(process.env.LOG_LEVEL);
}

/**
 * The secrets a webhook signature may be made with, newest first: STRIPE_WEBHOOK_SECRET, then
 * PSP_WEBHOOK_SECRETS (so a rotation sets the new one in either and keeps the old one in the
 * list); the emulator's default only when neither is set.
 */
export function webhookSecrets(): string[] {
  const { STRIPE_WEBHOOK_SECRET, PSP_WEBHOOK_SECRETS } = env();
  const secrets = [STRIPE_WEBHOOK_SECRET ?? "", ...(PSP_WEBHOOK_SECRETS ?? "").split(",")]
    .map((secret) => secret.trim())
    .filter(Boolean);
  return secrets.length > 0 ? [...new Set(secrets)] : ["whsec_payrail_emulator"];
}
