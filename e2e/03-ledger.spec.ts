import { accounts, expect, screenshot, signIn, test } from "./fixtures";

test("finance explores the ledger: trial balance, an account's statement, a transaction's entries", async ({
  page,
}) => {
  await signIn(page, accounts.finance);
  await page.goto("/finance/ledger");
  await expect(page.getByText("Balanced", { exact: true })).toBeVisible();
  await page.getByRole("button", { name: "psp_clearing" }).click();
  await expect(page.getByRole("heading", { name: "Statement of psp_clearing" })).toBeVisible();
  await page.getByRole("button", { name: "payin" }).first().click();
  await expect(
    page.getByTestId("transaction-detail").getByRole("cell", { name: "psp_clearing" }),
  ).toBeVisible();
  await screenshot(page, "finance-ledger");
});

test("a seller reads the statement and exports it as CSV", async ({ page }) => {
  await signIn(page, accounts.seller);
  await expect(page.getByTestId("available-balance")).toBeVisible();
  await page.goto("/seller/statement");
  await expect(page.getByRole("cell", { name: "Funds released" }).first()).toBeVisible();
  await screenshot(page, "seller-statement");
  const download = page.waitForEvent("download");
  await page.getByRole("link", { name: "Export CSV" }).click();
  const file = await (await download).path();
  const { readFileSync } = await import("node:fs");
  const csv = readFileSync(file, "utf8").trim().split("\n");
  expect(csv[0]).toBe("entry_id,created_at,kind,reference,description,amount_minor,balance_minor,currency");
  expect(csv.length).toBeGreaterThan(1);
});

test("a seller with nothing sold sees where the statement's lines will come from", async ({ page }) => {
  await signIn(page, accounts.newSeller);
  await page.goto("/seller/statement");
  await expect(page.getByText("Nothing in this balance yet")).toBeVisible();
  await expect(page.getByText(/Sales move here from your pending balance/)).toBeVisible();
  await screenshot(page, "seller-statement-empty");
  await page.getByRole("button", { name: "Show the pending balance" }).click();
  await expect(page.getByRole("combobox", { name: "Balance" })).toHaveValue("pending");
  await expect(page.getByText(/Each paid order adds a sale here/)).toBeVisible();
});
