// `npm test`: every check CI runs, in order, stopping at the first failure. Each step prints
// its duration. Unit and integration tests start their own throwaway PostgreSQL.
import { spawnSync } from "node:child_process";

const steps: [string, string[]][] = [
  ["typecheck", ["npx", "tsc", "--noEmit"]],
  ["lint", ["npx", "biome", "check", "."]],
  ["unit and integration tests", ["npx", "vitest", "run"]],
  ["end-to-end tests", ["npx", "tsx", "scripts/e2e.ts"]],
  // A short chaos run on the build the e2e step made: crashes and PSP faults, then every invariant.
  [
    "chaos (short)",
    ["npx", "tsx", "scripts/chaos.ts", "--seed", "20261205", "--duration", "45", "--no-build"],
  ],
];

for (const [name, [command, ...args]] of steps) {
  const started = Date.now();
  console.log(`\n▶ ${name}`);
  const result = spawnSync(command!, args, { stdio: "inherit" });
  const seconds = Math.round((Date.now() - started) / 1000);
  if (result.status !== 0) {
    console.error(`\n✘ ${name} (${seconds} s)`);
    process.exit(result.status ?? 1);
  }
  console.log(`✔ ${name} (${seconds} s)`);
}
