// The PSP configuration: STRIPE_API_BASE (with PSP_EMULATOR_URL, its older name) and the webhook
// secrets (STRIPE_WEBHOOK_SECRET beside the rotation list PSP_WEBHOOK_SECRETS).
import { afterEach, expect, it, vi } from "vitest";

const names = ["STRIPE_API_BASE", "PSP_EMULATOR_URL", "STRIPE_WEBHOOK_SECRET", "PSP_WEBHOOK_SECRETS"];
const saved = Object.fromEntries(names.map((name) => [name, process.env[name]]));

afterEach(() => {
  for (const name of names) {
    if (saved[name] === undefined) delete process.env[name];
    else process.env[name] = saved[name];
  }
});

/** server/env caches what it parsed: a fresh module per environment. */
async function secretsWith(environment: Record<string, string | undefined>) {
  for (const name of names) delete process.env[name];
  Object.assign(process.env, environment);
  vi.resetModules();
  const { webhookSecrets } = await import("@/server/env");
  return webhookSecrets();
}

it("accepts STRIPE_WEBHOOK_SECRET, PSP_WEBHOOK_SECRETS or both, newest first, during a rotation", async () => {
  expect(await secretsWith({})).toEqual(["whsec_payrail_emulator"]);
  expect(await secretsWith({ STRIPE_WEBHOOK_SECRET: "whsec_new" })).toEqual(["whsec_new"]);
  expect(await secretsWith({ PSP_WEBHOOK_SECRETS: "whsec_new, whsec_old" })).toEqual([
    "whsec_new",
    "whsec_old",
  ]);
  expect(
    await secretsWith({ STRIPE_WEBHOOK_SECRET: "whsec_new", PSP_WEBHOOK_SECRETS: "whsec_old,whsec_new" }),
  ).toEqual(["whsec_new", "whsec_old"]);
});

it("points the SDK at STRIPE_API_BASE, or at PSP_EMULATOR_URL when a script set that", async () => {
  const { stripeApiBase } = await import("./instance");
  for (const name of names) delete process.env[name];
  expect(stripeApiBase()).toBeUndefined();
  process.env.STRIPE_API_BASE = "http://127.0.0.1:12111";
  expect(stripeApiBase()).toBe("http://127.0.0.1:12111");
  process.env.PSP_EMULATOR_URL = "http://127.0.0.1:40000";
  expect(stripeApiBase()).toBe("http://127.0.0.1:40000");
  process.env.PSP_EMULATOR_URL = "off";
  expect(stripeApiBase()).toBe("http://127.0.0.1:12111");
});

it("reaches the emulator through getPsp() with STRIPE_API_BASE alone", async () => {
  const { startPspEmulator } = await import("./emulator/server");
  const { getPsp } = await import("./instance");
  const emulator = await startPspEmulator({ port: 0 });
  try {
    for (const name of names) delete process.env[name];
    process.env.STRIPE_API_BASE = emulator.url;
    const { accountId } = await getPsp().createConnectedAccount({ sellerId: "s-1", email: "s@example.test" });
    expect(emulator.engine.store.state.accounts[accountId]).toBeDefined();
  } finally {
    await emulator.close();
  }
});
