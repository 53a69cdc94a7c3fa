import { NextRequest } from "next/server";
import { describe, expect, it } from "vitest";
import { proxy } from "@/proxy";

function headersFor(url: string, init: { headers?: Record<string, string> } = {}) {
  return proxy(new NextRequest(url, init)).headers;
}

describe("security headers", () => {
  it("sets a strict CSP with a fresh nonce per request and forbids framing", () => {
    const first = headersFor("http://127.0.0.1:3000/finance").get("content-security-policy") ?? "";
    const second = headersFor("http://127.0.0.1:3000/finance").get("content-security-policy") ?? "";
    expect(first).toMatch(/script-src 'self' 'nonce-[A-Za-z0-9+/=]+' 'strict-dynamic'/);
    expect(first).toContain("frame-ancestors 'none'");
    expect(first).toContain("object-src 'none'");
    expect(first).not.toContain("unsafe-eval");
    expect(first).not.toBe(second);
  });

  it("sets the referrer policy, nosniff and X-Frame-Options", () => {
    const headers = headersFor("http://127.0.0.1:3000/");
    expect(headers.get("referrer-policy")).toBe("strict-origin-when-cross-origin");
    expect(headers.get("x-content-type-options")).toBe("nosniff");
    expect(headers.get("x-frame-options")).toBe("DENY");
  });

  it("sends HSTS only over TLS", () => {
    expect(headersFor("http://127.0.0.1:3000/").get("strict-transport-security")).toBeNull();
    const tls = headersFor("http://127.0.0.1:3000/", { headers: { "x-forwarded-proto": "https" } });
    expect(tls.get("strict-transport-security")).toContain("max-age=");
  });

  it("gives every request an id, keeping a well-formed incoming one (so /api/health and routes echo it)", () => {
    expect(
      headersFor("http://127.0.0.1:3000/api/health", { headers: { "x-request-id": "lb-42" } }).get(
        "x-request-id",
      ),
    ).toBe("lb-42");
    const fresh = headersFor("http://127.0.0.1:3000/", { headers: { "x-request-id": "no spaces allowed" } });
    expect(fresh.get("x-request-id")).toMatch(/^[0-9a-f-]{36}$/);
  });
});
