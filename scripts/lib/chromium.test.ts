import { describe, expect, it } from "vitest";
import {
  APT_INSTALL,
  type ChromiumDeps,
  PLAYWRIGHT_INSTALL,
  resolveChromium,
  SYSTEM_CHROMIUM,
} from "./chromium";

const OWN = "/home/ci/.cache/ms-playwright/chromium/chrome";
const PW = PLAYWRIGHT_INSTALL.join(" ");
const APT = APT_INSTALL.join(" ");

/**
 * A pretend machine with these files. `respond` decides each command's fate: false fails, true
 * succeeds, a path succeeds and installs that file. Commands not listed fail.
 */
function machine(
  files: string[],
  options: { root?: boolean; respond?: (line: string, ran: string[]) => boolean | string } = {},
) {
  const present = new Set(files);
  const ran: string[] = [];
  const deps: ChromiumDeps = {
    env: {},
    exists: (file) => present.has(file),
    run: (command) => {
      const line = command.join(" ");
      ran.push(line);
      const outcome = options.respond?.(line, ran) ?? false;
      if (typeof outcome === "string") present.add(outcome);
      return outcome !== false;
    },
    isRoot: options.root ?? false,
    playwrightPath: () => OWN,
    say: () => {},
  };
  return { deps, ran };
}

describe("finding Chromium for the e2e suite", () => {
  it("prefers /usr/bin/chromium and installs nothing", () => {
    const { deps, ran } = machine([SYSTEM_CHROMIUM, OWN]);
    expect(resolveChromium(deps)).toBe(SYSTEM_CHROMIUM);
    expect(ran).toEqual([]);
  });

  it("uses CHROMIUM_PATH when set, and refuses one that does not exist", () => {
    const { deps } = machine(["/opt/chrome", SYSTEM_CHROMIUM]);
    expect(resolveChromium({ ...deps, env: { CHROMIUM_PATH: "/opt/chrome" } })).toBe("/opt/chrome");
    expect(() => resolveChromium({ ...deps, env: { CHROMIUM_PATH: "/nope" } })).toThrow("/nope");
  });

  it("uses Playwright's own browser when it is installed", () => {
    const { deps, ran } = machine([OWN]);
    expect(resolveChromium(deps)).toBe(OWN);
    expect(ran).toEqual([]);
  });

  it("installs Playwright's browser on a fresh machine", () => {
    const { deps, ran } = machine([], { respond: (line) => (line === PW ? OWN : false) });
    expect(resolveChromium(deps)).toBe(OWN);
    expect(ran).toEqual([PW]);
  });

  it("falls back to apt-get as root, fetching the package lists when the first try fails", () => {
    const { deps, ran } = machine([], {
      root: true,
      respond: (line, history) => {
        if (line === "apt-get update") return true;
        if (line === APT) return history.includes("apt-get update") ? SYSTEM_CHROMIUM : false;
        return false;
      },
    });
    expect(resolveChromium(deps)).toBe(SYSTEM_CHROMIUM);
    expect(ran).toEqual([PW, APT, "apt-get update", APT]);
  });

  it("without root and without a download, stops with the exact commands to run", () => {
    const { deps, ran } = machine([]);
    expect(() => resolveChromium(deps)).toThrow(
      "`npx playwright install chromium` or `sudo apt-get install -y chromium`",
    );
    expect(ran).toEqual([PW]);
  });
});
