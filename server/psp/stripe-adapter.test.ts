// The SDK's per-request stack capture is skipped, and only for the call that starts a request.
import { expect, it } from "vitest";
import { withoutCallSiteStack } from "./stripe-adapter";

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
