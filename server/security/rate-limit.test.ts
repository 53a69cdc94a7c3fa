import { describe, expect, it } from "vitest";
import { callerAs, createUser } from "@/server/test/callers";
import { createTestDatabase } from "@/server/test/database";
import { resetRateLimits } from "./rate-limit";

const { db } = await createTestDatabase();

describe("login rate limit", () => {
  it("answers TOO_MANY_REQUESTS with Retry-After once attempts run out, even with the right password", async () => {
    resetRateLimits();
    const { user } = await createUser(db, "BUYER");
    for (let attempt = 0; attempt < 10; attempt++) {
      await expect(
        (await callerAs(db)).auth.login({ email: user.email, password: "wrong password" }),
      ).rejects.toMatchObject({
        code: "UNAUTHORIZED",
      });
    }
    const resHeaders = new Headers();
    const blocked = (await callerAs(db, undefined, resHeaders)).auth.login({
      email: user.email,
      password: "correct horse battery staple",
    });
    await expect(blocked).rejects.toMatchObject({ code: "TOO_MANY_REQUESTS" });
    expect(Number(resHeaders.get("retry-after"))).toBeGreaterThan(0);
    expect(await db.session.count({ where: { userId: user.id } })).toBe(0);
  });

  it("counts per address and email, so another account is not locked out", async () => {
    const { user } = await createUser(db, "BUYER");
    const result = await (await callerAs(db)).auth.login({
      email: user.email,
      password: "correct horse battery staple",
    });
    expect(result.home).toBe("/shop");
  });
});
