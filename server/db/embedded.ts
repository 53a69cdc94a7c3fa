// The embedded database: one PGlite instance per process, stored under .data/ (PGlite allows a
// single opener per data directory). Cached on globalThis because Next's bundle and the custom
// server load this module separately in one process and must share the instance.
import { mkdirSync } from "node:fs";
import path from "node:path";
import { PGlite } from "@electric-sql/pglite";
import { migrate, type SqlRunner } from "./migrate";

const key = Symbol.for("payrail.pglite");
type Holder = { [key]?: Promise<PGlite> };

export function embeddedDataDir(): string {
  return path.resolve(/*turbopackIgnore: true*/ process.env.PGLITE_DIR ?? ".data/pglite");
}

export function pgliteRunner(pg: PGlite): SqlRunner {
  return {
    query: async (sql, params) => ({ rows: (await pg.query<Record<string, unknown>>(sql, params)).rows }),
    exec: (sql) => pg.exec(sql),
  };
}

/** Opens (once) the embedded database and brings its schema up to date. */
export function openEmbeddedDatabase(): Promise<PGlite> {
  const holder = globalThis as Holder;
  holder[key] ??= (async () => {
    const dir = embeddedDataDir();
    mkdirSync(dir, { recursive: true });
    const pg = await PGlite.create(dir);
    await migrate(pgliteRunner(pg));
    return pg;
  })();
  return holder[key];
}

/** Closes the embedded database if it was opened, flushing it to disk. */
export async function closeEmbeddedDatabase(): Promise<void> {
  const holder = globalThis as Holder;
  const opening = holder[key];
  holder[key] = undefined;
  const pg = await opening?.catch(() => null);
  if (pg && !pg.closed) await pg.close();
}
