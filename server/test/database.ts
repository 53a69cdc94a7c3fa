// A fresh database per test file, cloned from the migrated template (fast: a file copy).
import { randomBytes } from "node:crypto";
import pg from "pg";
import { afterAll, inject } from "vitest";
import type { PrismaClient } from "@/generated/prisma/client";
import { createPostgresClient } from "@/server/db";

export interface TestDatabase {
  db: PrismaClient;
  url: string;
  /** A raw `pg` pool on the same database, for SQL the tests use to attack the rules. */
  sql: pg.Pool;
}

export async function createTestDatabase(): Promise<TestDatabase> {
  const base = inject("postgresUrl");
  const name = `payrail_test_${randomBytes(6).toString("hex")}`;
  const admin = new pg.Client({ connectionString: base });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name} TEMPLATE payrail_template`);
  await admin.end();
  const url = base.replace(/\/[^/]*$/, `/${name}`);
  const db = createPostgresClient(url, 20);
  const sql = new pg.Pool({ connectionString: url, max: 20 });
  afterAll(async () => {
    await db.$disconnect();
    await sql.end();
  });
  return { db, url, sql };
}
