// The one Prisma client. A real PostgreSQL when DATABASE_URL is set; otherwise the embedded PGlite
// database, so `npm start` needs no server. Both go through Prisma's driver adapters.
import { PrismaPg } from "@prisma/adapter-pg";
import pg from "pg";
import { PrismaPGlite } from "pglite-prisma-adapter";
import { PrismaClient } from "@/generated/prisma/client";
import { closeEmbeddedDatabase, openEmbeddedDatabase } from "./db/embedded";
import { baseLogger } from "./log";

export type Db = PrismaClient;
/** A client or an interactive transaction: services take either, so their steps compose. */
export type DbOrTx = Omit<PrismaClient, "$connect" | "$disconnect" | "$on" | "$transaction" | "$extends">;

// Statements prepared by name: parsed once per connection, then only bound and run. Only the hot
// ones whose text never changes (so a connection holds a fixed set). After five runs PostgreSQL
// may keep one generic plan for a statement; such a plan assumes an array parameter holds about
// ten elements, which suits these batches (1 to 100 rows reached through their keys' indexes) —
// server/db/prepared-statements.test.ts checks every generic plan uses them.
const preparedStatements = new Map<string, string>();

/** Registers `sql` to be prepared as `name` on PostgreSQL connections; returns it. */
export function preparedStatement(name: string, sql: string): string {
  for (const [text, named] of preparedStatements)
    if (named === name && text !== sql)
      throw new Error(`prepared statement ${name} is registered twice with different SQL`);
  preparedStatements.set(sql, name);
  return sql;
}

/** The registered statements, by name (for tests of their plans). */
export function registeredStatements(): Map<string, string> {
  return new Map([...preparedStatements].map(([sql, name]) => [name, sql]));
}

/**
 * Rows sorted by their string ids, by code unit: one fixed order, so statements that lock rows in
 * the order given take the locks in the same order everywhere; for lowercase UUIDs it is also the
 * order PostgreSQL sorts them in.
 */
export function inIdOrder<Row extends { id: string }>(rows: Iterable<Row>): Row[] {
  return [...rows].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
}

/**
 * `text` to match literally in Prisma's `contains`/`startsWith`: they are LIKE patterns that leave
 * the wildcards live, so a search for "50%" or "a_b" would match far more than it says.
 */
export function likeLiteral(text: string): string {
  return text.replace(/[\\%_]/g, "\\$&");
}

// The pool under each PostgreSQL client, for `hotQuery` and `hotTransaction`.
const pools = new WeakMap<object, pg.Pool>();

/** A `pg` query of `text`, prepared by name if it is registered. */
function pgQuery(text: string, values: unknown[]): pg.QueryConfig {
  const name = preparedStatements.get(text);
  return name ? { name, text, values } : { text, values };
}

// Idle connections are kept 5 minutes, not pg-pool's 10 s: a backend's exit costs PostgreSQL
// ~10 ms of CPU on a small VM and drops its prepared statements and caches, and with 10 s the
// connections one peak opened closed during the next stretch of load — a quarter of PostgreSQL's
// CPU in `npm run bench:payin` (docs/benchmarks.md). The pool is bounded, so keeping it is free.
const POOL_IDLE_TIMEOUT_MS = 5 * 60_000;

export function createPostgresClient(connectionString: string, max = 10): PrismaClient {
  const pool = new pg.Pool({ connectionString, max, idleTimeoutMillis: POOL_IDLE_TIMEOUT_MS });
  // An idle connection that dies (a database restart) must not take the process down; the pool
  // replaces it. Prisma adds its own listener only once it first connects.
  pool.on("error", (error) => baseLogger().warn({ err: error }, "idle database connection lost"));
  const adapter = new PrismaPg(pool, {
    // "" is the protocol's unnamed statement: parsed and planned with each call.
    statementNameGenerator: (query) => preparedStatements.get(query.sql) ?? "",
    disposeExternalPool: true,
  });
  // Minimal errors: no source excerpt in every message (nor the stack walk that builds it).
  const client = new PrismaClient({ adapter, errorFormat: "minimal" });
  pools.set(client, pool);
  return client;
}

/**
 * Runs one of the hot path's statements and returns its rows. Given the client (not a
 * transaction) on PostgreSQL, it goes straight to the pool under Prisma — for these statements
 * Prisma's query layer cost more CPU than PostgreSQL spent running them (docs/benchmarks.md) —
 * prepared by name if registered; otherwise through Prisma. Rows come as `pg` parses them, so
 * callers select only text, uuid, integer, timestamptz and json columns, which both return alike.
 */
export async function hotQuery<Row>(db: DbOrTx, sql: string, ...values: unknown[]): Promise<Row[]> {
  const pool = pools.get(db);
  if (!pool) return db.$queryRawUnsafe<Row[]>(sql, ...values);
  return (await pool.query<Row & pg.QueryResultRow>(pgQuery(sql, values))).rows;
}

/** The raw-SQL calls of a client or a transaction: all that the hot path's steps use. */
export type RawSql = Pick<DbOrTx, "$queryRawUnsafe" | "$executeRawUnsafe">;

// Rows as Prisma's raw queries return them: int8 as bigint (pg's own default is a string).
const prismaLikeTypes = {
  getTypeParser: ((oid: number, format?: "text" | "binary") =>
    oid === pg.types.builtins.INT8
      ? BigInt
      : pg.types.getTypeParser(oid, format)) as typeof pg.types.getTypeParser,
};

/**
 * Runs `work` in one database transaction. Given the client on PostgreSQL, it takes a connection
 * from the pool under Prisma and runs the statements there itself (prepared by name if
 * registered, rows as Prisma returns them): for the hot path, where Prisma's interactive
 * transaction cost more of our CPU than the statements inside it. Otherwise (PGlite) it is
 * Prisma's interactive transaction. `work` may use raw SQL only.
 */
export async function hotTransaction<T>(db: Db, work: (tx: RawSql) => Promise<T>): Promise<T> {
  const pool = pools.get(db);
  if (!pool) return db.$transaction((tx) => work(tx));
  const client = await pool.connect();
  const run = (text: string, values: unknown[]) =>
    client.query({ ...pgQuery(text, values), types: prismaLikeTypes });
  const tx = {
    $queryRawUnsafe: async (sql: string, ...values: unknown[]) => (await run(sql, values)).rows,
    $executeRawUnsafe: async (sql: string, ...values: unknown[]) => (await run(sql, values)).rowCount ?? 0,
  } as unknown as RawSql;
  let unusable: Error | undefined;
  try {
    await client.query("BEGIN");
    const result = await work(tx);
    await client.query("COMMIT"); // a check deferred to the commit may still refuse it here
    return result;
  } catch (error) {
    // After a failed COMMIT there is nothing to roll back; a connection that cannot even roll
    // back is dropped, not returned to the pool mid-transaction.
    await client.query("ROLLBACK").catch((rollbackError: Error) => {
      unusable = rollbackError;
    });
    throw error;
  } finally {
    client.release(unusable);
  }
}

const key = Symbol.for("payrail.db");
type Holder = { [key]?: Promise<PrismaClient> };

/** The process-wide client (shared by Next's bundle and the custom server through globalThis). */
export function getDb(): Promise<PrismaClient> {
  const holder = globalThis as Holder;
  holder[key] ??= (async () => {
    const url = process.env.DATABASE_URL;
    if (url) return createPostgresClient(url, Number(process.env.DATABASE_POOL_SIZE ?? 10));
    const pg = await openEmbeddedDatabase();
    return new PrismaClient({ adapter: new PrismaPGlite(pg) });
  })();
  return holder[key];
}

export function isEmbedded(): boolean {
  return !process.env.DATABASE_URL;
}

/** Disconnects the process-wide client and closes the embedded database (at shutdown). */
export async function closeDb(): Promise<void> {
  const holder = globalThis as Holder;
  const client = holder[key];
  holder[key] = undefined;
  await (await client?.catch(() => null))?.$disconnect();
  await closeEmbeddedDatabase();
}
