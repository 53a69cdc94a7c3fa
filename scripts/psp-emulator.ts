// `npm run psp:emulator`: the Stripe-compatible PSP emulator on PSP_EMULATOR_PORT (12111).
import { startPspEmulator } from "@/server/psp/emulator/server";

const secret = process.env.PSP_WEBHOOK_SECRETS?.split(",")[0]?.trim() || "whsec_payrail_emulator";
const appUrl = process.env.APP_URL ?? "http://127.0.0.1:3000";
const emulator = await startPspEmulator({
  port: Number(process.env.PSP_EMULATOR_PORT ?? 12111),
  snapshotPath: process.env.PSP_EMULATOR_SNAPSHOT ?? ".data/psp-emulator.json",
  webhookEndpoints:
    process.env.PSP_WEBHOOK_URL === "off"
      ? []
      : [{ url: process.env.PSP_WEBHOOK_URL ?? `${appUrl}/api/webhooks/psp`, secret }],
});
console.log(`PSP emulator listening on ${emulator.url}`);
for (const signal of ["SIGINT", "SIGTERM"] as const) {
  process.on(signal, async () => {
    await emulator.close();
    process.exit(0);
  });
}
