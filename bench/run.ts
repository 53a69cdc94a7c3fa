// `npm run bench [-- name [args…]]`: runs one benchmark, or all of them one after another (each
// in its own process, so they never share the machine).
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";

const all = ["ledger", "statement", "payin", "payout", "recon", "emulator"].filter((name) =>
  existsSync(`bench/${name}.ts`),
);
const [name, ...args] = process.argv.slice(2);
const selected = name ? [name] : all;
for (const bench of selected) {
  console.log(`\n── ${bench} ──`);
  const result = spawnSync("npx", ["tsx", `bench/${bench}.ts`, ...(name ? args : [])], { stdio: "inherit" });
  if (result.status !== 0) process.exit(result.status ?? 1);
}
