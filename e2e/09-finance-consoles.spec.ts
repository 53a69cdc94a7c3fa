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
  // Each record's before and after read as fields: the refund e2e/02 made, with its reason.
  const refund = page.getByRole("row").filter({ hasText: "refund.request" });
  await expect(refund.getByRole("definition").filter({ hasText: "Strap came loose" })).toBeVisible();
  await screenshot(page, "finance-audit");
});
