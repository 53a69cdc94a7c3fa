// The environment, parsed once at start-up. Everything configurable lives here with its default.
import { z } from "zod";

const envSchema = z.object({
  NODE_ENV: z.enum(["development", "test", "production"]).default("development"),
  DATABASE_URL: z.string().url().optional(),
  /** Public base URL of the app, used for PSP return URLs and the CSRF origin check. */
  APP_URL: z.string().url().default("http://127.0.0.1:3000"),
  PORT: z.coerce.number().int().positive().default(3000),
  CURRENCY: z
    .string()
    .regex(/^[a-z]{3}$/)
    .default("usd"),
  SESSION_IDLE_MINUTES: z.coerce.number().int().positive().default(30),
  SESSION_ABSOLUTE_HOURS: z.coerce.number().int().positive().default(12),
  /** Webhook signing secrets, comma-separated: the newest first; two during a rotation. */
  PSP_WEBHOOK_SECRETS: z.string().default("whsec_payrail_emulator"),
  LOG_LEVEL: z.enum(["debug", "info", "warn", "error"]).default("info"),
});

export type Env = z.infer<typeof envSchema>;

let cached: Env | undefined;

export function env(): Env {
  cached ??= envSchema.parse(process.env);
  return cached;
}

export function webhookSecrets(): string[] {
  return env()
    .PSP_WEBHOOK_SECRETS.split(",")
    .map((secret) => secret.trim())
    .filter(Boolean);
}
