// The chaos run crashes its PostgreSQL on purpose, and may only lose what was never acknowledged.
// Found by the long chaos run: with `synchronous_commit=off` a crash dropped committed rows.
import pg from "pg";
import { afterAll, expect, it } from "vitest";
import { type PostgresCluster, startPostgresCluster } from "./postgres-cluster";

let cluster: PostgresCluster | undefined;
afterAll(() => cluster?.stop());

async function query<T>(url: string, text: string): Promise<T[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query(text)).rows as T[];
  } finally {
    await client.end();
  }
}

it("with durable commits, every acknowledged commit survives a crash restart", async () => {
  cluster = await startPostgresCluster({ durableCommits: true, flushToDisk: true });
  const url = cluster.url();
  expect(await query(url, "SHOW synchronous_commit")).toEqual([{ synchronous_commit: "on" }]);
  // flushToDisk: as production, the pay-in benchmark's setting (the tests' clusters run without).
  expect(await query(url, "SHOW fsync")).toEqual([{ fsync: "on" }]);
  expect(await query(url, "SHOW full_page_writes")).toEqual([{ full_page_writes: "on" }]);
  await query(url, "CREATE TABLE acknowledged (n int)");
  await query(url, "INSERT INTO acknowledged SELECT generate_series(1, 1000)");
  await cluster.restart(); // pg_ctl -m immediate: no shutdown checkpoint, as a crash
  expect(await query(url, "SELECT count(*)::int AS n FROM acknowledged")).toEqual([{ n: 1000 }]);
});
