// The logs: one JSON line per tRPC call carrying the request id the client sees in X-Request-Id,
// the id reaching code that never received it, internal errors with their cause, and secrets
// and card numbers never written.
import { TRPCError } from "@trpc/server";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { GET } from "@/app/api/trpc/[trpc]/route";
import { createTestDatabase } from "@/server/test/database";
import {
  baseLogger,
  createLogger,
  type Logger,
  log,
  setBaseLogger,
  withLogFields,
  withRequestId,
} from "./log";
import { createCallerFactory, createContext, createTRPCRouter, publicProcedure } from "./trpc";

const { db, url } = await createTestDatabase();
process.env.DATABASE_URL = url;

let raw: string[] = [];
const lines = () => raw.map((line) => JSON.parse(line) as Record<string, unknown>);
let previous: Logger;
beforeEach(() => {
  raw = [];
  previous = baseLogger();
  // pino writes each line synchronously to any object with write(): the test reads them back.
  setBaseLogger(createLogger({ level: "info", destination: { write: (line: string) => raw.push(line) } }));
});
afterEach(() => setBaseLogger(previous));

const trpcGet = (path: string, headers: Record<string, string> = {}) =>
  GET(new Request(`http://127.0.0.1:3000/api/trpc/${path}`, { headers }));

describe("request ids and call logs", () => {
  it("echoes a valid incoming X-Request-Id and logs the call with it", async () => {
    const response = await trpcGet("auth.me", { "x-request-id": "req-abc.123" });
    expect(response.status).toBe(200);
    expect(response.headers.get("x-request-id")).toBe("req-abc.123");
    const call = lines().find((line) => line.msg === "trpc call");
    expect(call).toMatchObject({
      level: "info",
      requestId: "req-abc.123",
      path: "auth.me",
      type: "query",
      code: "OK",
    });
    expect(call?.durationMs).toEqual(expect.any(Number));
  });

  it("replaces a missing or malformed id with a fresh one, the same in header and log", async () => {
    for (const headers of [{}, { "x-request-id": 'bad id","level":"fatal' }] as Record<string, string>[]) {
      raw = [];
      const response = await trpcGet("auth.me", headers);
      const id = response.headers.get("x-request-id");
      expect(id).toMatch(/^[0-9a-f-]{36}$/);
      expect(lines().find((line) => line.msg === "trpc call")?.requestId).toBe(id);
    }
  });

  it("logs a refused call with its code, and an unknown procedure too", async () => {
    await trpcGet("wallet.mine", { "x-request-id": "anon-1" });
    await trpcGet("no.such", { "x-request-id": "missing-1" });
    expect(lines()).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ requestId: "anon-1", path: "wallet.mine", code: "UNAUTHORIZED" }),
        expect.objectContaining({ requestId: "missing-1", code: "NOT_FOUND" }),
      ]),
    );
  });

  it("gives code deep inside a request the request id without passing it along", async () => {
    const deep = async () => {
      await new Promise((resolve) => setImmediate(resolve));
      log().info("deep down");
    };
    await Promise.all([withRequestId("first", deep), withRequestId("second", deep)]);
    await withLogFields({ job: "payin.recover", jobId: "j-1" }, deep);
    log().info("outside");
    expect(lines().map((line) => [line.msg, line.requestId, line.job])).toEqual([
      ["deep down", "first", undefined],
      ["deep down", "second", undefined],
      ["deep down", undefined, "payin.recover"],
      ["outside", undefined, undefined],
    ]);
  });

  it("logs an internal error once, at error level, with its cause", async () => {
    const router = createTRPCRouter({
      explode: publicProcedure.query(() => {
        throw new Error("could not settle", { cause: new Error("socket hang up") });
      }),
      refuse: publicProcedure.query(() => {
        throw new TRPCError({ code: "CONFLICT", message: "taken" });
      }),
    });
    const caller = createCallerFactory(router)(
      await createContext({ headers: new Headers(), db, requestId: "r-err" }),
    );
    await expect(caller.explode()).rejects.toThrow("could not settle");
    await expect(caller.refuse()).rejects.toThrow("taken");
    const [explode, refuse] = lines();
    expect(explode).toMatchObject({
      level: "error",
      requestId: "r-err",
      path: "explode",
      code: "INTERNAL_SERVER_ERROR",
    });
    expect(explode?.err).toMatchObject({ message: "could not settle", cause: { message: "socket hang up" } });
    expect(refuse).toMatchObject({ level: "info", path: "refuse", code: "CONFLICT" });
    expect(lines()).toHaveLength(2);
  });
});

describe("redaction", () => {
  it("never writes passwords, session tokens, cookies or secrets", () => {
    log().info(
      {
        password: "hunter2-top",
        input: { email: "a@b.test", password: "hunter2-nested", currentPassword: "hunter2-current" },
        headers: { cookie: "payrail_session=tok-123", authorization: "Bearer tok-456" },
        ctx: { user: { sessionToken: "tok-789" } },
        secret: "whsec_abc",
      },
      "sign-in attempt",
    );
    const [line] = raw;
    expect(line).toBeDefined();
    for (const secret of ["hunter2", "tok-123", "tok-456", "tok-789", "whsec_abc"])
      expect(line).not.toContain(secret);
    expect(lines()[0]).toMatchObject({
      password: "[redacted]",
      input: { email: "a@b.test", password: "[redacted]", currentPassword: "[redacted]" },
      headers: { cookie: "[redacted]" },
    });
  });

  it("masks card numbers anywhere in a line but leaves ids alone", () => {
    const id = "41111111-1111-4111-1111-111111111111";
    log().info({ note: "paid with 4242 4242 4242 4242", id }, "card 4000-0000-0000-0002 declined");
    const [line] = raw;
    expect(line).not.toMatch(/4242 4242|4000-0000/);
    expect(lines()[0]).toMatchObject({
      note: "paid with [card redacted]",
      id,
      msg: "card [card redacted] declined",
    });
  });
});
