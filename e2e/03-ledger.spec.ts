import type { Page } from "@playwright/test";
import { parse } from "csv-parse/sync";
import { STATEMENT_CSV_COLUMNS } from "@/server/wallet/statement-csv";
import { accounts, expect, screenshot, signIn, test } from "./fixtures";

/** The statement on screen narrowed to a period of days ("" leaves an end open). */
async function showPeriod(page: Page, from: string, to: string) {
  const period = page.getByRole("form", { name: "Statement period" });
  await period.getByLabel("From").fill(from);
  await period.getByLabel("To").fill(to);
  await period.getByRole("button", { name: "Apply" }).click();
}

/** Back to the whole statement. */
async function showAllTime(page: Page) {
  await page
    .getByRole("form", { name: "Statement period" })
    .getByRole("button", { name: "All time" })
    .click();
}

/** One of the figures above a statement: its opening or its closing balance. */
const statementFigure = (page: Page, which: "opening" | "closing") =>
  page.getByTestId(`statement-${which}`).locator(".value");

test("finance explores the ledger: trial balance, an account's statement, a transaction's entries", async ({
  page,
}) => {
  await signIn(page, accounts.finance);
  await page.goto("/finance/ledger");
  await expect(page.getByText("Balanced", { exact: true })).toBeVisible();
  await page.getByRole("button", { name: "psp_clearing" }).click();
  await expect(page.getByRole("heading", { name: "Statement of psp_clearing" })).toBeVisible();
  // All time, the statement closes at the account's balance in the table below.
  const balance = await page
    .getByRole("row")
    .filter({ has: page.getByRole("button", { name: "psp_clearing" }) })
    .getByRole("cell")
    .last()
    .textContent();
  await expect(statementFigure(page, "closing")).toHaveText(balance!);
  // A month before the first payment: no entries, nothing before or after.
  await showPeriod(page, "2020-01-01", "2020-01-31");
  await expect(page.getByText("No entries in this period.")).toBeVisible();
  await expect(statementFigure(page, "closing")).toHaveText("$0.00");
  await showAllTime(page);
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
  // All time: from nothing to the balance the overview shows.
  const available = await statementFigure(page, "closing").textContent();
  await expect(statementFigure(page, "opening")).toHaveText("$0.00");
  await screenshot(page, "seller-statement");
  // A period before the first sale: no lines, nothing before or after.
  await showPeriod(page, "2020-01-01", "2020-01-31");
  await expect(page.getByText("No lines in this period")).toBeVisible();
  await expect(statementFigure(page, "closing")).toHaveText("$0.00");
  await screenshot(page, "seller-statement-period");
  // From then on: every line again, the same closing balance.
  await showPeriod(page, "2020-01-01", "");
  await expect(page.getByRole("cell", { name: "Funds released" }).first()).toBeVisible();
  await expect(statementFigure(page, "closing")).toHaveText(available!);
  await showAllTime(page);
  const download = page.waitForEvent("download");
  await page.getByRole("link", { name: "Export CSV" }).click();
  const file = await (await download).path();
  const { readFileSync } = await import("node:fs");
  const csv: string[][] = parse(readFileSync(file, "utf8"));
  expect(csv[0]).toEqual(STATEMENT_CSV_COLUMNS);
  expect(csv.length).toBeGreaterThan(1);
  // Every line fills every column, its currency last.
  for (const line of csv.slice(1)) {
    expect(line).toHaveLength(STATEMENT_CSV_COLUMNS.length);
    expect(line.at(-1)).toMatch(/^[a-z]{3}$/i);
  }
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
