// APP_URL follows PORT unless set: the PSP's return URLs and webhooks must reach the app.
import { afterEach, expect, it, vi } from "vitest";

afterEach(() => {
  vi.unstubAllEnvs();
  vi.resetModules();
});

async function freshEnv() {
  const { env } = await import("./env");
  return env();
}

it("derives APP_URL from PORT when it is not set", async () => {
  vi.stubEnv("APP_URL", undefined);
  vi.stubEnv("PORT", "3400");
  expect((await freshEnv()).APP_URL).toBe("http://127.0.0.1:3400");
});

it("keeps an APP_URL that is set, and refuses one that is not a URL", async () => {
  vi.stubEnv("APP_URL", "https://pay.example.test");
  vi.stubEnv("PORT", "3400");
  expect((await freshEnv()).APP_URL).toBe("https://pay.example.test");
  vi.resetModules();
  vi.stubEnv("APP_URL", "not a url");
  await expect(freshEnv()).rejects.toThrow();
});
