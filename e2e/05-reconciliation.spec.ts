import { accounts, expect, screenshot, signIn, test } from "./fixtures";

test("finance reconciles today against the PSP and reads the report", async ({ page }) => {
  await signIn(page, accounts.finance);
  await page.goto("/finance/reconciliation");
  await page.getByRole("button", { name: "Run reconciliation" }).click();
  await expect(page.getByText("completed").first()).toBeVisible({ timeout: 30_000 });
  await expect(page.getByTestId("count-MATCHED").locator(".value")).not.toHaveText("0");
  await screenshot(page, "finance-reconciliation");
});
