import { accounts, expect, screenshot, signIn, test } from "./fixtures";

test("finance's consoles render: reviews, jobs, and the audit log, filtered by subject", async ({ page }) => {
  await signIn(page, accounts.finance);
  await page.goto("/finance/reviews");
  await expect(page.getByRole("heading", { name: "Risk reviews" })).toBeVisible();
  await screenshot(page, "finance-reviews");
  await page.goto("/finance/jobs");
  await expect(page.getByText("Every webhook event received has been processed.")).toBeVisible();
  // Each queue says what its jobs do and when they run.
  const nightly = page.getByRole("row").filter({ hasText: "reconciliation.nightly" });
  await expect(nightly.getByText("Reconciles yesterday (UTC) against the PSP.")).toBeVisible();
  await expect(nightly.getByRole("cell", { name: "At 02:30" })).toBeVisible();
  await screenshot(page, "finance-jobs");
  await page.goto("/finance/audit");
  await expect(page.getByText(/Hash chain verified/)).toBeVisible();
  // Each record's before and after read as fields: the refund e2e/02 made, with its reason.
  const refund = page.getByRole("row").filter({ hasText: "refund.request" });
  await expect(refund.getByRole("definition").filter({ hasText: "Strap came loose" })).toBeVisible();
  await screenshot(page, "finance-audit");
  // Narrowed to payout runs: the runs e2e/04 made, not the refund.
  const filters = page.getByRole("form", { name: "Filter the audit log" });
  const records = page.getByRole("table", { name: "Audit log" }).getByRole("row");
  await filters.getByRole("combobox", { name: "Subject" }).selectOption({ label: "Payout run" });
  await expect(records.filter({ hasText: "payout.run.create" }).first()).toBeVisible();
  await expect(records.filter({ hasText: "refund.request" })).toHaveCount(0);
  // And to one payment order, by the short id the table shows.
  await filters.getByRole("combobox", { name: "Subject" }).selectOption({ label: "Payment order" });
  const orderId = await refund.locator(".mono").first().textContent();
  await filters.getByRole("textbox", { name: "Subject id" }).fill(orderId!);
  await filters.getByRole("button", { name: "Apply" }).click();
  await expect(records.filter({ hasText: "refund.request" })).toHaveCount(1);
  await expect(records.filter({ hasText: "payout" })).toHaveCount(0);
  await screenshot(page, "finance-audit-filtered");
});
