// Database errors that mean bad input become BAD_REQUEST whichever client raised them: Prisma
// names the SQLSTATE in its message, `pg` (the hot path's statements) carries it as `code`.
import pg from "pg";
import { expect, it } from "vitest";
import { createTestDatabase } from "@/server/test/database";
import { errorCodeFor } from "./errors";

const { db, sql } = await createTestDatabase();

it("maps a bad value to BAD_REQUEST from pg and from Prisma", async () => {
  const viaPg = await sql.query("SELECT 'not a uuid'::uuid").catch((error: unknown) => error);
  expect(viaPg).toBeInstanceOf(pg.DatabaseError);
  expect(errorCodeFor(viaPg)).toBe("BAD_REQUEST");
  const viaPrisma = await db.$queryRawUnsafe("SELECT 'not a uuid'::uuid").catch((error: unknown) => error);
  expect(errorCodeFor(viaPrisma)).toBe("BAD_REQUEST");
});

it("leaves other database errors to the server", async () => {
  const missing = await sql.query("SELECT * FROM no_such_table").catch((error: unknown) => error);
  expect(errorCodeFor(missing)).toBeNull();
});
