import { accounts, expect, screenshot, signIn, test } from "./fixtures";

test("finance reconciles today against the PSP and reads the report", async ({ page }) => {
  await signIn(page, accounts.finance);
  await page.goto("/finance/reconciliation");
  await page.getByRole("button", { name: "Run reconciliation" }).click();
  await expect(page.getByTestId("run-status")).toHaveText("Completed", { timeout: 30_000 });
  await expect(page.getByTestId("count-MATCHED").locator(".value")).not.toHaveText("0");
  await screenshot(page, "finance-reconciliation");
});

test("finance uploads a settlement file, re-runs the period and sees what changed", async ({ page }) => {
  await signIn(page, accounts.finance);
  await page.goto("/finance/reconciliation");
  // A run of the period first, so the second shows what changed since it.
  await page.getByRole("button", { name: "Run reconciliation" }).click();
  await expect(page.getByTestId("run-status")).toHaveText("Completed", { timeout: 30_000 });
  const created = Math.floor(Date.now() / 1000);
  await page.getByLabel(/Settlement file/).setInputFiles({
    name: "settlement.csv",
    mimeType: "text/csv",
    buffer: Buffer.from(
      [
        "id,type,source,amount,fee,net,currency,created",
        `txn_e2e_${created},charge,ch_e2e_${created},5000,500,4500,usd,${created}`,
      ].join("\n"),
    ),
  });
  await expect(page.getByRole("status")).toContainText("1 row read, 1 new settlement record stored");
  await page.getByRole("button", { name: "Run reconciliation" }).click();
  await expect(page.getByTestId("changes")).toBeVisible({ timeout: 30_000 });
  await expect(page.getByTestId("run-status")).toHaveText("Completed");
  await expect(page.getByRole("table").last().locator("tbody tr").first()).toContainText("Completed");
  await expect(page.getByText("The PSP took a fee that differs").first()).toBeVisible();
  // Ignore the unknown charge with a note: recorded with who and when.
  const row = page
    .getByRole("row")
    .filter({ hasText: `ch_e2e_${created}` })
    .filter({ hasText: "missing in ledger" });
  await row.getByLabel("Note").fill("Test charge from the e2e file");
  await row.getByRole("button", { name: "Ignore" }).click();
  await expect(page.getByText("ignored: Test charge from the e2e file")).toBeVisible();
  const csv = await page.request.get(
    (await page.getByRole("link", { name: "Export CSV" }).getAttribute("href")) ?? "",
  );
  expect(csv.status()).toBe(200);
  expect(await csv.text()).toContain(`ch_e2e_${created}`);
  await screenshot(page, "finance-reconciliation-rerun");
});
