import { describe, expect, it } from "vitest";
import { callerAs, callerWithToken, createUser, sessionFor, TEST_PASSWORD } from "@/server/test/callers";
import { createTestDatabase } from "@/server/test/database";
import { passwordWeakness } from "./password";
import { SESSION_COOKIE, validateSession } from "./session";

const { db } = await createTestDatabase();

function tokenFrom(headers: Headers): string {
  const cookie = headers.get("set-cookie") ?? "";
  return new RegExp(`${SESSION_COOKIE}=([^;]*)`).exec(cookie)?.[1] ?? "";
}

describe("auth", () => {
  it("logs in with the right password, sets an httpOnly SameSite cookie and lands on the role's home", async () => {
    const { user } = await createUser(db, "SELLER");
    const resHeaders = new Headers();
    const anonymous = await callerAs(db, undefined, resHeaders);
    const result = await anonymous.auth.login({ email: user.email, password: TEST_PASSWORD });
    expect(result.home).toBe("/seller");
    const cookie = resHeaders.get("set-cookie") ?? "";
    expect(cookie).toContain("HttpOnly");
    expect(cookie).toContain("SameSite=Lax");
    const stored = await db.session.findMany({ where: { userId: user.id } });
    expect(stored).toHaveLength(1);
    expect(stored[0]!.id).not.toBe(tokenFrom(resHeaders)); // only the hash is stored
  });

  it("refuses a wrong password and an unknown email with the same UNAUTHORIZED error", async () => {
    const { user } = await createUser(db, "BUYER");
    const anonymous = await callerAs(db);
    const wrong = anonymous.auth.login({ email: user.email, password: "not the password" });
    await expect(wrong).rejects.toMatchObject({
      code: "UNAUTHORIZED",
      message: "Email or password is wrong",
    });
    const unknown = anonymous.auth.login({ email: "nobody@test.local", password: "whatever" });
    await expect(unknown).rejects.toMatchObject({
      code: "UNAUTHORIZED",
      message: "Email or password is wrong",
    });
    expect(await db.session.count({ where: { userId: user.id } })).toBe(0);
  });

  it("rejects malformed input with field errors", async () => {
    const anonymous = await callerAs(db);
    await expect(anonymous.auth.login({ email: "not-an-email", password: "" })).rejects.toMatchObject({
      code: "BAD_REQUEST",
    });
  });

  it("logout deletes the session server-side", async () => {
    const { user } = await createUser(db, "FINANCE");
    const token = await sessionFor(db, user.id);
    expect((await (await callerWithToken(db, token)).auth.me())?.id).toBe(user.id);
    await (await callerWithToken(db, token)).auth.logout();
    expect(await db.session.count({ where: { userId: user.id } })).toBe(0);
    expect(await (await callerWithToken(db, token)).auth.me()).toBeNull();
  });

  it("expires a session that sat idle too long", async () => {
    const { user } = await createUser(db, "BUYER");
    const token = await sessionFor(db, user.id);
    await db.session.updateMany({
      where: { userId: user.id },
      data: { lastSeenAt: new Date(Date.now() - 3_600_000) },
    });
    expect(await (await callerWithToken(db, token)).auth.me()).toBeNull();
    expect(await db.session.count({ where: { userId: user.id } })).toBe(0);
  });

  it("expires a session past its absolute lifetime even when active", async () => {
    const { user } = await createUser(db, "BUYER");
    const token = await sessionFor(db, user.id);
    await db.session.updateMany({
      where: { userId: user.id },
      data: { expiresAt: new Date(Date.now() - 1000) },
    });
    expect(await (await callerWithToken(db, token)).auth.me()).toBeNull();
  });

  it("gives each of many simultaneous requests its own user (their session reads share a statement)", async () => {
    const users = await Promise.all(
      (["BUYER", "SELLER", "FINANCE", "BUYER"] as const).map((role) => createUser(db, role)),
    );
    const tokens = await Promise.all(users.map(({ user }) => sessionFor(db, user.id)));
    const seen = await Promise.all([...tokens, "not-a-session"].map((token) => validateSession(db, token)));
    expect(seen.map((user) => user?.id ?? null)).toEqual([...users.map(({ user }) => user.id), null]);
    const seller = users[1]!;
    expect(seen[1]).toEqual({
      id: seller.user.id,
      email: seller.user.email,
      name: seller.user.name,
      role: "SELLER",
      sellerId: seller.seller!.id,
    });
    expect(seen[0]!.sellerId).toBeNull();
  });

  it("rejects short and pattern passwords", () => {
    expect(passwordWeakness("short")).toMatch(/at least 12/);
    expect(passwordWeakness("aaaaaaaaaaaaaaaa")).toMatch(/easy/);
    expect(passwordWeakness("jane.doe-secret-2026", "jane.doe@x.test")).toMatch(/email/);
    expect(passwordWeakness("a sound passphrase here")).toBeNull();
  });
});
