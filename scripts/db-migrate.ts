// `npm run db:migrate`: applies prisma/migrations to DATABASE_URL, or to the embedded database.
import pg from "pg";
import { openEmbeddedDatabase } from "@/server/db/embedded";
import { migrate } from "@/server/db/migrate";

const url = process.env.DATABASE_URL;
if (url) {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  const applied = await migrate({
    query: (sql, params) => client.query(sql, params),
    exec: (sql) => client.query(sql),
  });
  await client.end();
  console.log(applied.length ? `applied: ${applied.join(", ")}` : "database is up to date");
} else {
  const pglite = await openEmbeddedDatabase(); // migrates as it opens
  await pglite.close();
  console.log("embedded database is up to date");
}
