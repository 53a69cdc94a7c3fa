// Starts one throwaway PostgreSQL for the whole vitest run and builds a migrated template
// database; each test file clones it (see database.ts), so files never share data.
import pg from "pg";
import type { TestProject } from "vitest/node";
import { startPostgresCluster } from "@/scripts/lib/postgres-cluster";
import { migrate } from "@/server/db/migrate";

export const TEMPLATE_DATABASE = "payrail_template";

export default async function setup(project: TestProject) {
  const cluster = await startPostgresCluster();
  const admin = new pg.Client({ connectionString: cluster.url() });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${TEMPLATE_DATABASE}`);
  await admin.end();
  const client = new pg.Client({ connectionString: cluster.url(TEMPLATE_DATABASE) });
  await client.connect();
  await migrate({ query: (sql, params) => client.query(sql, params), exec: (sql) => client.query(sql) });
  await client.end();
  project.provide("postgresUrl", cluster.url());
  return () => cluster.stop();
}

declare module "vitest" {
  export interface ProvidedContext {
    postgresUrl: string;
  }
}
