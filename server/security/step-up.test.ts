import { describe, expect, it } from "vitest";
import { createUser, TEST_PASSWORD } from "@/server/test/callers";
import { createTestDatabase } from "@/server/test/database";
import { requireStepUp } from "./step-up";

const { db } = await createTestDatabase();

describe("requireStepUp", () => {
  it("passes with the caller's own password", async () => {
    const { user } = await createUser(db, "FINANCE");
    await expect(requireStepUp(db, user.id, TEST_PASSWORD)).resolves.toBeUndefined();
  });

  it("asks for the password when none is given, and refuses a wrong one", async () => {
    const { user } = await createUser(db, "FINANCE");
    await expect(requireStepUp(db, user.id, undefined)).rejects.toMatchObject({ code: "FORBIDDEN" });
    await expect(requireStepUp(db, user.id, "guess")).rejects.toThrow(/password is wrong/);
  });
});
