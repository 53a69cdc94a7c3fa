// `prisma generate` never runs the schema engine, but the CLI insists on finding one and would
// download it; offline we point it at any existing file (see docs/decisions.md).
import { execFileSync } from "node:child_process";
import { existsSync } from "node:fs";

const env: NodeJS.ProcessEnv = { ...process.env, PRISMA_HIDE_UPDATE_MESSAGE: "1" };
const engine = env.PRISMA_SCHEMA_ENGINE_BINARY;
if (!engine || !existsSync(engine)) env.PRISMA_SCHEMA_ENGINE_BINARY = process.execPath;
execFileSync("prisma", ["generate"], { stdio: "inherit", env });
