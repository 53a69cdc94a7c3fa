import { accounts, expect, screenshot, signIn, test } from "./fixtures";

test("finance's consoles render: reviews, jobs, audit", async ({ page }) => {
  await signIn(page, accounts.finance);
  await page.goto("/finance/reviews");
  await expect(page.getByRole("heading", { name: "Risk reviews" })).toBeVisible();
  await screenshot(page, "finance-reviews");
  await page.goto("/finance/jobs");
  await expect(page.getByRole("cell", { name: "payin.process-webhook" })).toBeVisible();
  await screenshot(page, "finance-jobs");
  await page.goto("/finance/audit");
  await expect(page.getByText(/Hash chain verified/)).toBeVisible();
  await screenshot(page, "finance-audit");
});
