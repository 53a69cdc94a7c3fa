// `npm run psp:emulator`: the Stripe-compatible PSP emulator on PSP_EMULATOR_PORT (12111), calling
// back the app at APP_URL (or PSP_WEBHOOK_URL; `off` for no webhooks).
import { appEmulatorOptions } from "@/server/psp/emulator/app-options";
import { startPspEmulator } from "@/server/psp/emulator/server";

const emulator = await startPspEmulator(appEmulatorOptions(process.env.PSP_WEBHOOK_URL));
console.log(`PSP emulator listening on ${emulator.url}`);
for (const signal of ["SIGINT", "SIGTERM"] as const) {
  process.on(signal, async () => {
    await emulator.close();
    process.exit(0);
  });
}
