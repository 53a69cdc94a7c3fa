// How `npm start` and `npm run psp:emulator` run the emulator for this app, from the environment:
// where it listens and keeps its state, and the app's webhook endpoint it calls back.
import { env, webhookSecrets } from "@/server/env";
import { WEBHOOK_EVENT_TYPES } from "@/server/psp/webhook-events";
import type { EmulatorOptions } from "./server";

/** `webhookUrl` "off": no endpoint. The endpoint signs with the app's newest secret. */
export function appEmulatorOptions(webhookUrl = `${env().APP_URL}/api/webhooks/psp`): EmulatorOptions {
  const snapshot = process.env.PSP_EMULATOR_SNAPSHOT ?? ".data/psp-emulator.json";
  return {
    port: Number(process.env.PSP_EMULATOR_PORT ?? 12111),
    snapshotPath: snapshot === "off" ? undefined : snapshot, // "off": in memory only (benchmarks)
    webhookEndpoints:
      webhookUrl === "off"
        ? []
        : [{ url: webhookUrl, secret: webhookSecrets()[0]!, enabledEvents: WEBHOOK_EVENT_TYPES }],
  };
}
