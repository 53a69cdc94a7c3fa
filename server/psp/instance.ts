// The process's PSP: the Stripe adapter, pointed at the emulator unless a live key is configured.
import type { PspPort } from "./port";
import { createStripeAdapter } from "./stripe-adapter";

const key = Symbol.for("payrail.psp");
type Holder = { [key]?: { psp: PspPort; config: string } };

/**
 * Where the SDK sends requests: STRIPE_API_BASE, unless PSP_EMULATOR_URL (its older name) is set —
 * the start, chaos and bench scripts and the tests set that for the emulator they started
 * themselves, which must win over a base URL inherited from the shell. `off` or empty is unset.
 */
export function stripeApiBase(): string | undefined {
  return [process.env.PSP_EMULATOR_URL, process.env.STRIPE_API_BASE].find(
    (value) => value && value !== "off",
  );
}

export function getPsp(): PspPort {
  const secretKey = process.env.STRIPE_SECRET_KEY ?? "sk_test_emulator";
  const apiBase = stripeApiBase();
  // A live key talks to Stripe itself unless a base URL says otherwise; a test key defaults to the
  // local emulator, so a test key can never reach Stripe by accident.
  const live = secretKey.startsWith("sk_live_") && !apiBase;
  const emulatorUrl = live ? undefined : (apiBase ?? "http://127.0.0.1:12111");
  const timeoutMs = Number(process.env.STRIPE_TIMEOUT_MS ?? 10_000);
  const config = `${secretKey}|${emulatorUrl}|${timeoutMs}`;
  const holder = globalThis as Holder;
  // Rebuilt when the configuration changes (tests start emulators on fresh ports).
  if (holder[key]?.config !== config)
    holder[key] = { psp: createStripeAdapter({ secretKey, emulatorUrl, timeoutMs }), config };
  return holder[key]!.psp;
}
