// The SDK's per-request stack capture is skipped, and only for the call that starts a request;
// webhook signatures are checked against each configured secret.
import { expect, it } from "vitest";
import { signPayload } from "./emulator/webhooks";
import { createStripeAdapter, withoutCallSiteStack } from "./stripe-adapter";

it("starts the call without stack frames and restores the limit afterwards", async () => {
  const before = Error.stackTraceLimit;
  const stack = await withoutCallSiteStack(async () => new Error("inside").stack);
  expect(stack).toBe("Error: inside");
  expect(Error.stackTraceLimit).toBe(before);
  expect(new Error("after").stack).toContain("\n    at ");
});

it("restores the limit when the call throws before its first await", () => {
  const before = Error.stackTraceLimit;
  expect(() =>
    withoutCallSiteStack(() => {
      throw new Error("synchronous");
    }),
  ).toThrow("synchronous");
  expect(Error.stackTraceLimit).toBe(before);
});

it("verifies a webhook with any configured secret, and says why when none verifies", async () => {
  // Signature checks are local: no request reaches this address.
  const psp = createStripeAdapter({
    secretKey: "sk_test_x",
    emulatorUrl: "http://127.0.0.1:9",
    timeoutMs: 100,
  });
  const body = JSON.stringify({
    id: "evt_1",
    object: "event",
    type: "charge.succeeded",
    data: { object: {} },
  });
  const signature = signPayload(body, "whsec_old", Math.floor(Date.now() / 1000));
  const event = await psp.constructWebhookEvent(body, signature, ["whsec_new", "whsec_old"]);
  expect(event.id).toBe("evt_1");
  await expect(psp.constructWebhookEvent(body, signature, ["whsec_new"])).rejects.toThrow(/signature/i);
  await expect(psp.constructWebhookEvent(body, signature, [])).rejects.toThrow(
    "no webhook secret configured",
  );
});
