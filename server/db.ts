// The one Prisma client. A real PostgreSQL when DATABASE_URL is set; otherwise the embedded PGlite
// database, so `npm start` needs no server. Both go through Prisma's driver adapters.
import { PrismaPg } from "@prisma/adapter-pg";
import { PrismaPGlite } from "pglite-prisma-adapter";
import { PrismaClient } from "@/generated/prisma/client";
import { closeEmbeddedDatabase, openEmbeddedDatabase } from "./db/embedded";

export type Db = PrismaClient;
/** A client or an interactive transaction: services take either, so their steps compose. */
export type DbOrTx = Omit<PrismaClient, "$connect" | "$disconnect" | "$on" | "$transaction" | "$extends">;

// Statements prepared by name: parsed once per connection, then only bound and run. Only hot ones
// whose plan is the same for any parameters (a function call, index lookups, single-row writes,
// a batch passed as one jsonb document): a named statement may get a cached generic plan, which
// cannot see the length of an unnest($array) parameter — so no statement taking arrays is named.
const preparedStatements = new Map<string, string>();

/** Registers `sql` to be prepared by name on PostgreSQL connections; returns it. */
export function preparedStatement(name: string, sql: string): string {
  preparedStatements.set(sql, name);
  return sql;
}

export function createPostgresClient(connectionString: string, max = 10): PrismaClient {
  const adapter = new PrismaPg(
    { connectionString, max },
    // "" is the protocol's unnamed statement: parsed and planned with each call.
    { statementNameGenerator: (query) => preparedStatements.get(query.sql) ?? "" },
  );
  // Minimal errors: no source excerpt in every message (nor the stack walk that builds it).
  return new PrismaClient({ adapter, errorFormat: "minimal" });
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
