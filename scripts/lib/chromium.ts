// Finds a Chromium for the e2e suite, installing one on a fresh machine: the system's
// /usr/bin/chromium first (CI has it, and it needs no download), then Playwright's own, then
// `npx playwright install chromium`, then apt-get as root. Otherwise it says what to run.
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";

export const SYSTEM_CHROMIUM = "/usr/bin/chromium";
export const PLAYWRIGHT_INSTALL = ["npx", "playwright", "install", "chromium"];
export const APT_INSTALL = ["apt-get", "install", "-y", "chromium"];

export interface ChromiumDeps {
  env: Record<string, string | undefined>;
  exists: (file: string) => boolean;
  /** Runs a command with inherited output; true when it exits 0. */
  run: (command: string[]) => boolean;
  isRoot: boolean;
  /** Where Playwright's own Chromium is (or would be) installed. */
  playwrightPath: () => string | undefined;
  say: (line: string) => void;
}

export class NoChromiumError extends Error {}

export function resolveChromium(deps: ChromiumDeps): string {
  const configured = deps.env.CHROMIUM_PATH;
  if (configured) {
    if (deps.exists(configured)) return configured;
    throw new NoChromiumError(`CHROMIUM_PATH=${configured} does not exist`);
  }
  const ownBrowser = () => {
    const file = deps.playwrightPath();
    return file && deps.exists(file) ? file : undefined;
  };
  if (deps.exists(SYSTEM_CHROMIUM)) return SYSTEM_CHROMIUM;
  const own = ownBrowser();
  if (own) return own;

  deps.say(`No Chromium found; trying: ${PLAYWRIGHT_INSTALL.join(" ")}`);
  if (deps.run(PLAYWRIGHT_INSTALL)) {
    const installed = ownBrowser();
    if (installed) return installed;
  }
  if (deps.isRoot) {
    deps.say(`Trying: ${APT_INSTALL.join(" ")}`);
    // A fresh image has no package lists yet; fetch them once if the first attempt fails.
    if (
      (deps.run(APT_INSTALL) || (deps.run(["apt-get", "update"]) && deps.run(APT_INSTALL))) &&
      deps.exists(SYSTEM_CHROMIUM)
    ) {
      return SYSTEM_CHROMIUM;
    }
  }
  throw new NoChromiumError(
    `No Chromium for the e2e tests. Install one with \`${PLAYWRIGHT_INSTALL.join(" ")}\`` +
      ` or \`sudo ${APT_INSTALL.join(" ")}\`, or set CHROMIUM_PATH to a Chromium binary.`,
  );
}

/** The real machine: this process's environment, files and commands. */
export async function findChromium(): Promise<string> {
  const { chromium } = await import("playwright-core");
  return resolveChromium({
    env: process.env,
    exists: existsSync,
    run: ([command, ...args]) => spawnSync(command!, args, { stdio: "inherit" }).status === 0,
    isRoot: process.getuid?.() === 0,
    playwrightPath: () => {
      try {
        return chromium.executablePath();
      } catch {
        return undefined;
      }
    },
    say: (line) => console.log(line),
  });
}
