import { accounts, expect, screenshot, signIn, signOut, test } from "./fixtures";

test("each role lands on its own home after sign-in", async ({ page }) => {
  await page.goto("/login");
  await screenshot(page, "login");
  for (const [email, home] of [
    [accounts.buyer, "/shop"],
    [accounts.seller, "/seller"],
    [accounts.finance, "/finance"],
  ] as const) {
    await signIn(page, email);
    await expect(page).toHaveURL(new RegExp(`${home}$`));
    await signOut(page);
    await expect(page).toHaveURL(/\/login$/);
  }
});

test("a wrong password shows an error and no session", async ({ page }) => {
  await page.goto("/login");
  await page.getByLabel("Email").fill(accounts.buyer);
  await page.getByLabel("Password").fill("wrong password entirely");
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page.locator("p[role=alert]")).toHaveText("Email or password is wrong");
  await page.goto("/finance");
  await expect(page).toHaveURL(/\/login$/);
});

test("a buyer cannot open finance pages", async ({ page }) => {
  await signIn(page, accounts.buyer);
  await page.goto("/finance");
  await expect(page).toHaveURL(/\/shop$/);
});
