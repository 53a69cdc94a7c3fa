// Scans Payrail's database (every table, pg-boss's jobs included) and the given log/trace files
// for card numbers. Exits non-zero on any hit. Used after the e2e run (scripts/e2e.ts).
import { readdirSync, readFileSync, statSync } from "node:fs";
import path from "node:path";
import pg from "pg";
import { findCardNumbers } from "@/server/security/card-scan";

export async function scanDatabase(url: string): Promise<string[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  const hits: string[] = [];
  try {
    const { rows: tables } = await client.query<{ schema: string; name: string }>(`
      SELECT schemaname AS schema, tablename AS name FROM pg_tables
       WHERE schemaname IN ('public', 'pgboss') ORDER BY 1, 2`);
    for (const table of tables) {
      const cursorName = `scan_${hits.length}`;
      await client.query("BEGIN");
      await client.query(
        `DECLARE ${cursorName} NO SCROLL CURSOR FOR SELECT row_to_json(t)::text AS row FROM "${table.schema}"."${table.name}" t`,
      );
      for (;;) {
        const { rows } = await client.query<{ row: string }>(`FETCH 1000 FROM ${cursorName}`);
        if (rows.length === 0) break;
        for (const row of rows)
          for (const hit of findCardNumbers(row.row)) hits.push(`${table.schema}.${table.name}: ${hit}`);
      }
      await client.query("COMMIT");
    }
  } finally {
    await client.end();
  }
  return hits;
}

function* files(root: string): Generator<string> {
  const info = statSync(root, { throwIfNoEntry: false });
  if (!info) return;
  if (info.isFile()) {
    yield root;
    return;
  }
  for (const entry of readdirSync(root)) yield* files(path.join(root, entry));
}

export function scanFiles(roots: string[]): string[] {
  const hits: string[] = [];
  for (const root of roots) {
    for (const file of files(root)) {
      if (/\.(png|jpe?g|webm|zip)$/i.test(file)) continue;
      for (const hit of findCardNumbers(readFileSync(file, "utf8"))) hits.push(`${file}: ${hit}`);
    }
  }
  return hits;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const url = process.env.DATABASE_URL;
  const hits = [...(url ? await scanDatabase(url) : []), ...scanFiles(process.argv.slice(2))];
  if (hits.length > 0) {
    console.error(`Card-like numbers found:\n${hits.join("\n")}`);
    process.exit(1);
  }
  console.log("No card data found in the database or the given files.");
}
