// The process's PSP: the Stripe adapter, pointed at the emulator unless a live key is configured.
import type { PspPort } from "./port";
import { createStripeAdapter } from "./stripe-adapter";

const key = Symbol.for("payrail.psp");
type Holder = { [key]?: { psp: PspPort; config: string } };

export function getPsp(): PspPort {
  const secretKey = process.env.STRIPE_SECRET_KEY ?? "sk_test_emulator";
  const live = secretKey.startsWith("sk_live_") && !process.env.PSP_EMULATOR_URL;
  const emulatorUrl = live ? undefined : (process.env.PSP_EMULATOR_URL ?? "http://127.0.0.1:12111");
  const timeoutMs = Number(process.env.STRIPE_TIMEOUT_MS ?? 10_000);
  const config = `${secretKey}|${emulatorUrl}|${timeoutMs}`;
  const holder = globalThis as Holder;
  // Rebuilt when the configuration changes (tests start emulators on fresh ports).
  if (holder[key]?.config !== config)
    holder[key] = { psp: createStripeAdapter({ secretKey, emulatorUrl, timeoutMs }), config };
  return holder[key]!.psp;
}
