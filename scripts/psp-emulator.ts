// `npm run psp:emulator`: the Stripe-compatible PSP emulator on PSP_EMULATOR_PORT (12111).
import { env, webhookSecrets } from "@/server/env";
import { startPspEmulator } from "@/server/psp/emulator/server";
import { WEBHOOK_EVENT_TYPES } from "@/server/psp/webhook-events";

// Signs with the app's newest secret (STRIPE_WEBHOOK_SECRET or the first of PSP_WEBHOOK_SECRETS).
const secret = webhookSecrets()[0]!;
const appUrl = env().APP_URL; // the app this emulator calls back: APP_URL, or loopback on PORT
const emulator = await startPspEmulator({
  port: Number(process.env.PSP_EMULATOR_PORT ?? 12111),
  // "off": keep state in memory only (benchmarks).
  snapshotPath:
    process.env.PSP_EMULATOR_SNAPSHOT === "off"
      ? undefined
      : (process.env.PSP_EMULATOR_SNAPSHOT ?? ".data/psp-emulator.json"),
  webhookEndpoints:
    process.env.PSP_WEBHOOK_URL === "off"
      ? []
      : [
          {
            url: process.env.PSP_WEBHOOK_URL ?? `${appUrl}/api/webhooks/psp`,
            secret,
            enabledEvents: WEBHOOK_EVENT_TYPES,
          },
        ],
});
console.log(`PSP emulator listening on ${emulator.url}`);
for (const signal of ["SIGINT", "SIGTERM"] as const) {
  process.on(signal, async () => {
    await emulator.close();
    process.exit(0);
  });
}
