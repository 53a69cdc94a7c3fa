import type { Page } from "@playwright/test";
import { accounts, expect, screenshot, signIn, signOut, test } from "./fixtures";

async function payOnHostedPage(page: Page, card: string) {
  await page.getByLabel(/card number/i).fill(card);
  await page.getByLabel(/expir/i).fill("12 / 34");
  await page.getByLabel(/cvc/i).fill("123");
  const name = page.getByLabel(/name/i);
  if (await name.count()) await name.first().fill("Bea Buyer");
  await page.getByRole("button", { name: /pay/i }).click();
}

async function checkoutTwoSellers(page: Page) {
  await signIn(page, accounts.buyer);
  await expect(page.getByTestId("product").first()).toBeVisible();
  await screenshot(page, "shop");
  await page.getByRole("button", { name: "Add Canvas tote bag" }).click();
  await page.getByRole("button", { name: "Add Pocket notebook" }).click();
  await expect(page.getByTestId("cart-total")).toHaveText("$30.50");
  await page.getByRole("button", { name: "Checkout" }).click();
  await page.waitForURL(/\/checkout\//);
  const continueLink = page.getByRole("link", { name: "Continue to payment" });
  await expect(continueLink).toBeVisible();
  await continueLink.click();
}

test("a buyer pays two sellers in one checkout and sees the live status", async ({ page }) => {
  await checkoutTwoSellers(page);
  await screenshot(page, "psp-hosted-page");
  await payOnHostedPage(page, "4242424242424242");
  await page.waitForURL(/\/checkout\//);
  await expect(page.getByTestId("checkout-headline")).toHaveText("Thank you — your payment went through");
  await expect(page.getByRole("cell", { name: "Northwind Goods" })).toBeVisible();
  await expect(page.getByRole("cell", { name: "Blue Fern Books" })).toBeVisible();
  await screenshot(page, "checkout-paid");
  await page.goto("/shop/orders");
  await expect(page.getByText("Paid").first()).toBeVisible();
  await screenshot(page, "buyer-payments");
});

test("a declined card shows the reason in plain words, and another card succeeds", async ({ page }) => {
  await checkoutTwoSellers(page);
  await payOnHostedPage(page, "4000000000000002");
  await expect(page.getByText(/declined/i).first()).toBeVisible();
  await screenshot(page, "psp-declined");
  await payOnHostedPage(page, "4242424242424242");
  await page.waitForURL(/\/checkout\//);
  await expect(page.getByTestId("checkout-headline")).toHaveText("Thank you — your payment went through");
});

test("the seller sees the order and releases its funds; finance finds it and refunds part of it", async ({
  page,
}) => {
  await signIn(page, accounts.seller);
  await expect(page.getByRole("cell", { name: /Canvas tote bag/ }).first()).toBeVisible();
  await screenshot(page, "seller-overview");
  await page.getByRole("button", { name: "Mark fulfilled" }).first().click();
  await expect(page.getByText("available").first()).toBeVisible();
  await signOut(page);

  await signIn(page, accounts.finance);
  await expect(page.getByRole("cell", { name: accounts.buyer }).first()).toBeVisible();
  await screenshot(page, "finance-payments");
  await page.getByRole("row").filter({ hasText: "$24.00" }).first().getByRole("link").first().click();
  await expect(page.getByRole("heading", { name: /^Order / })).toBeVisible();
  await page.getByLabel(/^Amount/).fill("5.00");
  await page.getByLabel("Reason").fill("Strap came loose");
  await page.getByRole("button", { name: "Refund" }).click();
  await expect(page.getByRole("status")).toHaveText("Refund requested.");
  await expect(page.getByRole("cell", { name: "Strap came loose" })).toBeVisible();
  await expect(page.getByText("Paid").or(page.getByText("succeeded")).first()).toBeVisible();
  await screenshot(page, "finance-order-refund");
});
