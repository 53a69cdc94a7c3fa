import { accounts, expect, screenshot, signIn, signOut, test } from "./fixtures";

test("a seller's payout account is connected; finance runs payouts and watches them complete; the seller is paid", async ({
  page,
}) => {
  await signIn(page, accounts.seller);
  await page.goto("/seller");
  const available = await page.getByTestId("available-balance").textContent();
  expect(available).not.toBe("$0.00");
  await page.goto("/seller/payouts");
  // `npm start` connects the demo sellers' accounts at the emulator it runs.
  await expect(page.getByText(/Connected: acct_/)).toBeVisible();
  await screenshot(page, "seller-payouts-before");
  await signOut(page);

  await signIn(page, accounts.finance);
  await page.goto("/finance/payouts");
  await page.getByRole("button", { name: "Run payouts now" }).click();
  await page.getByRole("button", { name: "Open" }).first().click();
  await expect(page.locator(".stat").filter({ hasText: "paid" }).locator(".value")).toHaveText("1", {
    timeout: 30_000,
  });
  await expect(page.getByRole("progressbar")).toHaveAttribute("aria-valuenow", "1");
  await expect(page.getByText("1 of 1 payout settled")).toBeVisible();
  // The runs table follows the run it lists.
  await expect(page.locator("tbody tr").first().getByText("completed")).toBeVisible();
  // So does the open run's own heading, and nothing is left to cancel.
  await expect(
    page.getByRole("heading", { name: /^Run / }).locator("..").getByText("Completed"),
  ).toBeVisible();
  await expect(page.getByRole("button", { name: "Cancel unsent payouts" })).toHaveCount(0);
  await screenshot(page, "finance-payout-run");
  await signOut(page);

  await signIn(page, accounts.seller);
  await expect(page.getByTestId("available-balance")).toHaveText("$0.00");
  await page.goto("/seller/payouts");
  await expect(page.getByRole("cell", { name: available! }).first()).toBeVisible();
  await screenshot(page, "seller-payouts-after");
});
