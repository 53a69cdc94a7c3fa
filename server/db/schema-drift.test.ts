// Fails when prisma/schema.prisma and the SQL in prisma/migrations describe different databases:
// every model's table and column (name, type, nullability) and every enum must match what the
// migrations actually create on a real PostgreSQL.
import { readFileSync } from "node:fs";
import path from "node:path";
import { get_dmmf } from "@prisma/prisma-schema-wasm";
import { describe, expect, it } from "vitest";
import { createTestDatabase } from "@/server/test/database";

interface DmmfField {
  name: string;
  dbName?: string | null;
  kind: "scalar" | "enum" | "object" | "unsupported";
  isRequired: boolean;
  isList: boolean;
  type: string;
  nativeType: [string, string[]] | null;
}
interface Dmmf {
  datamodel: {
    models: { name: string; dbName: string | null; fields: DmmfField[] }[];
    enums: { name: string; dbName?: string | null; values: { name: string }[] }[];
  };
}

const schema = readFileSync(path.resolve(import.meta.dirname, "../../prisma/schema.prisma"), "utf8");
const dmmf = JSON.parse(get_dmmf(JSON.stringify({ prismaSchema: [["schema.prisma", schema]] }))) as Dmmf;

const scalarTypes: Record<string, string> = {
  String: "text",
  Int: "int4",
  BigInt: "int8",
  Boolean: "bool",
  DateTime: "timestamp",
  Json: "jsonb",
  Bytes: "bytea",
  Decimal: "numeric",
  Float: "float8",
};
const nativeTypes: Record<string, string> = {
  Uuid: "uuid",
  Char: "bpchar",
  VarChar: "varchar",
  Timestamptz: "timestamptz",
  SmallInt: "int2",
  Text: "text",
};

function expectedColumns(): string[] {
  return dmmf.datamodel.models.flatMap((model) =>
    model.fields
      .filter((field) => field.kind === "scalar" || field.kind === "enum")
      .map((field) => {
        const type =
          field.kind === "enum"
            ? field.type
            : field.nativeType
              ? (nativeTypes[field.nativeType[0]] ?? field.nativeType[0])
              : scalarTypes[field.type];
        const column = field.dbName ?? field.name;
        return `${model.dbName ?? model.name}.${column} ${field.isList ? "_" : ""}${type} ${field.isRequired ? "NOT NULL" : "NULL"}`;
      }),
  );
}

describe("schema.prisma and prisma/migrations", () => {
  it("describe the same tables and columns", async () => {
    const { sql } = await createTestDatabase();
    const { rows } = await sql.query<{ line: string }>(`
      SELECT c.table_name || '.' || c.column_name || ' ' || c.udt_name || ' ' ||
             CASE WHEN c.is_nullable = 'YES' THEN 'NULL' ELSE 'NOT NULL' END AS line
        FROM information_schema.columns c
        JOIN information_schema.tables t USING (table_schema, table_name)
       WHERE c.table_schema = 'public' AND t.table_type = 'BASE TABLE'
         AND c.table_name <> '_prisma_migrations'`);
    const actual = rows.map((row) => row.line).sort();
    expect(actual).toEqual(expectedColumns().sort());
  });

  it("describe the same enums", async () => {
    const { sql } = await createTestDatabase();
    const { rows } = await sql.query<{ name: string; labels: string[] }>(`
      SELECT t.typname AS name, array_agg(e.enumlabel::text ORDER BY e.enumsortorder) AS labels
        FROM pg_type t JOIN pg_enum e ON e.enumtypid = t.oid
        JOIN pg_namespace n ON n.oid = t.typnamespace AND n.nspname = 'public'
       GROUP BY t.typname`);
    const actual = Object.fromEntries(rows.map((row) => [row.name, row.labels]));
    const expected = Object.fromEntries(
      dmmf.datamodel.enums.map((e) => [e.dbName ?? e.name, e.values.map((value) => value.name)]),
    );
    expect(actual).toEqual(expected);
  });
});
