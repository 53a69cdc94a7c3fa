import { describe, expect, it } from "vitest";
import { csrfRejection } from "./csrf";

const app = "http://127.0.0.1:3000";
const post = (headers: Record<string, string>) =>
  new Request(`${app}/api/trpc/auth.logout`, { method: "POST", headers });

describe("csrfRejection", () => {
  it("lets same-origin JSON mutations through", () => {
    expect(
      csrfRejection(post({ "content-type": "application/json", origin: app, host: "127.0.0.1:3000" }), app),
    ).toBeNull();
  });

  it("refuses a form post, which a cross-site page can send without preflight", () => {
    expect(csrfRejection(post({ "content-type": "application/x-www-form-urlencoded" }), app)).toMatch(/JSON/);
    expect(csrfRejection(post({ "content-type": "text/plain" }), app)).toMatch(/JSON/);
  });

  it("refuses a JSON post from a foreign origin", () => {
    const request = post({
      "content-type": "application/json",
      origin: "https://evil.example",
      host: "127.0.0.1:3000",
    });
    expect(csrfRejection(request, app)).toMatch(/Cross-site/);
  });

  it("does not interfere with queries", () => {
    expect(csrfRejection(new Request(`${app}/api/trpc/auth.me`), app)).toBeNull();
  });
});
