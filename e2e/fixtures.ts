// Specs run in file order (numbered): later ones use the payments the earlier ones made.
// One signed-in page per role, through the real login form.
import { test as base, expect, type Page } from "@playwright/test";

export const DEMO_PASSWORD = "payrail-demo-pass";
export const accounts = {
  buyer: "buyer@payrail.test",
  seller: "seller1@payrail.test",
  seller2: "seller2@payrail.test",
  /** Harbor Coffee: no spec buys from it, so it stays a seller with nothing sold. */
  newSeller: "seller3@payrail.test",
  finance: "finance@payrail.test",
} as const;

export async function signIn(page: Page, email: string) {
  await page.goto("/login");
  await page.getByLabel("Email").fill(email);
  await page.getByLabel("Password").fill(DEMO_PASSWORD);
  await page.getByRole("button", { name: "Sign in" }).click();
  await page.waitForURL((url) => !url.pathname.startsWith("/login"));
}

export async function signOut(page: Page) {
  await page.getByRole("button", { name: "Sign out" }).click();
  await page.waitForURL(/\/login$/);
}

/** Saves a screenshot under test-results/screens/ to look at. */
export async function screenshot(page: Page, name: string) {
  await page.screenshot({ path: `test-results/screens/${name}.png`, fullPage: true });
}

export const test = base;
export { expect };
