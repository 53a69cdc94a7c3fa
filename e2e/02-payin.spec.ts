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
  // Straight to the PSP's hosted page.
  await page.waitForURL(/\/pay\/cs_/);
}

/** A seller's balances in cents, as their overview shows them. */
async function balancesOf(page: Page, seller: string): Promise<{ pending: number; available: number }> {
  await signIn(page, seller);
  const cents = async (testId: string) => {
    const shown = page.getByTestId(testId);
    await expect(shown).toHaveText(/^\$[\d,]+\.\d\d$/);
    return Number((await shown.textContent())!.replace(/[$,.]/g, ""));
  };
  const balances = { pending: await cents("pending-balance"), available: await cents("available-balance") };
  await signOut(page);
  return balances;
}
const pendingCents = async (page: Page, seller: string) => (await balancesOf(page, seller)).pending;
const totalCents = async (page: Page, seller: string) => {
  const { pending, available } = await balancesOf(page, seller);
  return pending + available;
};

test("a buyer pays two sellers in one checkout and sees the live status; both sellers see it pending", async ({
  page,
}) => {
  const before = [await pendingCents(page, accounts.seller), await pendingCents(page, accounts.seller2)];
  await checkoutTwoSellers(page);
  await screenshot(page, "psp-hosted-page");
  await payOnHostedPage(page, "4242424242424242");
  await page.waitForURL(/\/checkout\//);
  await expect(page.getByTestId("checkout-headline")).toHaveText("Thank you — your payment went through");
  await expect(page.getByRole("cell", { name: "Northwind Goods" })).toBeVisible();
  await expect(page.getByRole("cell", { name: "Blue Fern Books" })).toBeVisible();
  await screenshot(page, "checkout-paid");
  await page.goto("/shop/orders");
  // The newest payment first, with what was bought from whom.
  const newest = page.getByRole("table", { name: "My payments" }).getByRole("row").nth(1);
  await expect(newest).toContainText("Paid");
  await expect(newest).toContainText("Canvas tote bag × 1 from Northwind Goods");
  await expect(newest).toContainText("Pocket notebook × 1 from Blue Fern Books");
  await screenshot(page, "buyer-payments");
  await signOut(page);
  // Each seller's pending balance grew by their share net of commission: $24.00 less 10 % for
  // Northwind Goods, $6.50 less 8 % for Blue Fern Books.
  expect(await pendingCents(page, accounts.seller)).toBe(before[0]! + 2160);
  expect(await pendingCents(page, accounts.seller2)).toBe(before[1]! + 598);
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

test("the seller filters orders, opens one, sees its timeline and postings, and ships it", async ({
  page,
}) => {
  await signIn(page, accounts.seller);
  const orders = page.getByRole("table", { name: "Orders" });
  await expect(orders.getByRole("cell", { name: /Canvas tote bag/ }).first()).toBeVisible();
  await expect(page.getByTestId("next-payout")).toHaveText(/^\$/);
  await expect(page.getByText("Next payout estimate")).toBeVisible();
  await screenshot(page, "seller-overview");

  // A status with no orders: an empty state that offers the way back.
  await page.getByLabel(/^Status/).selectOption({ label: "Failed" });
  await expect(page.getByText("No orders match these filters")).toBeVisible();
  await screenshot(page, "seller-orders-empty");
  await page.getByRole("button", { name: "Clear filters" }).click();
  await expect(orders.getByRole("cell", { name: /Canvas tote bag/ }).first()).toBeVisible();

  // Dates: today finds them, a range in the past does not.
  const today = new Date().toISOString().slice(0, 10);
  await page.getByLabel(/^From/).fill(today);
  await page.getByLabel(/^To/).fill(today);
  await page.getByRole("button", { name: "Apply" }).click();
  await expect(orders.getByRole("cell", { name: /Canvas tote bag/ }).first()).toBeVisible();
  await page.getByLabel(/^From/).fill("2020-01-01");
  await page.getByLabel(/^To/).fill("2020-01-31");
  await page.getByRole("button", { name: "Apply" }).click();
  await expect(page.getByText("No orders match these filters")).toBeVisible();
  await page.getByRole("button", { name: "Clear", exact: true }).click();

  // The short id the table shows finds exactly that order.
  const firstLink = orders.getByRole("link").first();
  const shortId = (await firstLink.textContent())!.trim();
  await page.getByLabel(/^Order id/).fill(shortId);
  await page.getByRole("button", { name: "Apply" }).click();
  await expect(orders.locator("tbody tr")).toHaveCount(1);
  await expect(orders.getByRole("link", { name: `Order ${shortId}` })).toBeVisible();
  await screenshot(page, "seller-orders-filtered");

  await orders.getByRole("link", { name: `Order ${shortId}` }).click();
  await expect(page.getByRole("heading", { name: `Order ${shortId}` })).toBeVisible();
  const timeline = page.getByRole("list", { name: "Timeline" });
  await expect(timeline.getByText("risk check passed")).toBeVisible();
  await expect(timeline.getByText(/the PSP captured the payment/)).toBeVisible();
  const postings = page.getByRole("table", { name: "Ledger postings" });
  await expect(postings.getByText("Payment received")).toBeVisible();
  await expect(postings.getByRole("cell", { name: /^seller_pending:/ })).toBeVisible();
  // The e2e app runs with no hold (PAYIN_HOLD_DAYS=0): shipping makes the funds available at once.
  await page.getByRole("button", { name: "Mark shipped" }).click();
  await expect(page.getByText("funds available")).toBeVisible();
  await expect(postings.getByText("Funds released")).toBeVisible();
  await screenshot(page, "seller-order-detail");

  await page.getByRole("link", { name: "← Overview" }).click();
  await expect(orders.getByText("available").first()).toBeVisible();
  await signOut(page);
});

test("finance sees the volume chart, filters payments, and refunds part of an order; the seller sees it", async ({
  page,
}) => {
  const sellerBefore = await totalCents(page, accounts.seller);
  await signIn(page, accounts.finance);
  const payments = page.getByRole("table", { name: "Payments" });
  await expect(payments.getByRole("cell", { name: accounts.buyer }).first()).toBeVisible();
  // The chart rendered real data: an SVG with bars, and totals that count today's payments.
  const chart = page.getByTestId("volume-chart");
  await expect(chart.locator("svg.recharts-surface").first()).toBeVisible();
  await expect(chart.locator(".recharts-bar-rectangle path").first()).toBeVisible();
  await expect(page.getByTestId("volume-count")).toHaveText(/^[1-9]\d*$/);
  await expect(page.getByTestId("volume-amount")).toHaveText(/^\$\d/);
  await screenshot(page, "finance-payments");

  // Filters combine: buyer + seller + status + an exact amount range.
  await page.getByLabel("Buyer email").fill(accounts.buyer);
  await page.getByLabel(/^Seller/).fill("blue fern");
  await page.getByLabel(/^Status/).selectOption({ label: "Paid" });
  await page.getByLabel("Min amount").fill("30.50");
  await page.getByLabel("Max amount").fill("30.50");
  await page.getByRole("button", { name: "Search" }).click();
  await expect(payments.getByRole("cell", { name: "$30.50" }).first()).toBeVisible();
  await expect(page.getByText("5 filters")).toBeVisible();
  await screenshot(page, "finance-payments-filtered");
  await page.getByLabel("Min amount").fill("1000");
  await page.getByLabel("Max amount").fill("");
  await page.getByRole("button", { name: "Search" }).click();
  await expect(page.getByText("No payments match these filters")).toBeVisible();
  await page.getByLabel(/^From/).fill("2020-01-01");
  await page.getByLabel(/^To/).fill("2019-01-01");
  await page.getByRole("button", { name: "Search" }).click();
  await expect(page.getByRole("form", { name: "Filter payments" }).getByRole("alert")).toHaveText(
    /end date is before the start date/,
  );
  await page.getByRole("button", { name: "Clear", exact: true }).click();
  await expect(payments.getByRole("cell", { name: accounts.buyer }).first()).toBeVisible();

  // The Northwind order of a checkout: detail with PSP objects, postings and webhooks.
  await payments.locator("td div").filter({ hasText: "Northwind Goods" }).first().getByRole("link").click();
  await expect(page.getByRole("heading", { name: /^Order / })).toBeVisible();
  const orderId = page.url().split("/").pop()!;
  const psp = page.getByRole("region", { name: "PSP objects" });
  await expect(psp.getByText(/^cs_/)).toBeVisible();
  await expect(psp.getByText(/^ch_/)).toBeVisible();
  const intentId = (await psp.getByText(/^pi_/).textContent())!.trim();
  const webhooks = page.getByRole("table", { name: "Webhook events" });
  await expect(webhooks.getByRole("cell", { name: "payment_intent.succeeded" })).toBeVisible();
  // Subscribed only to the events Payrail acts on (enabled_events): no charge.succeeded.
  await expect(webhooks.getByRole("cell", { name: "charge.succeeded" })).toHaveCount(0);
  await expect(
    page.getByRole("table", { name: "Ledger postings" }).getByRole("cell", { name: "psp_clearing" }),
  ).toBeVisible();
  await expect(page.getByRole("list", { name: "Timeline" }).getByText("risk check passed")).toBeVisible();

  await page.getByLabel(/^Amount/).fill("5.00");
  await page.getByLabel("Reason").fill("Strap came loose");
  await page.getByRole("button", { name: "Refund" }).click();
  await expect(page.getByRole("status")).toHaveText("Refund requested.");
  await expect(page.getByRole("cell", { name: "Strap came loose" })).toBeVisible();
  await expect(page.getByText("Paid").or(page.getByText("succeeded")).first()).toBeVisible();
  await expect(
    page.getByRole("table", { name: "Ledger postings" }).getByText("Refund").first(),
  ).toBeVisible();
  await expect(webhooks.getByRole("cell", { name: /^refund\./ }).first()).toBeVisible();
  await screenshot(page, "finance-order-refund");

  // The PSP's payment intent id finds its checkout.
  await page.getByRole("link", { name: "← Payments" }).click();
  await page.getByLabel("Checkout, order or PSP id").fill(intentId);
  await page.getByRole("button", { name: "Search" }).click();
  await expect(payments.locator("tbody tr")).toHaveCount(1);
  await expect(payments.getByRole("cell", { name: "$30.50" })).toBeVisible();
  await signOut(page);

  // The seller sees it: their balance is down by their share of the $5.00 (less the 10 %
  // commission, which Payrail gives back), and the order shows the refund and its posting.
  expect(await totalCents(page, accounts.seller)).toBe(sellerBefore - 450);
  await signIn(page, accounts.seller);
  await page.goto(`/seller/orders/${orderId}`);
  await expect(page.getByText("Strap came loose")).toBeVisible();
  await expect(page.getByText("Refund", { exact: true }).first()).toBeVisible();
  await screenshot(page, "seller-order-refunded");
  await signOut(page);

  // And the buyer: the payment lists what came back, its page the refund and where it stands.
  await signIn(page, accounts.buyer);
  await page.goto("/shop/orders");
  const refunded = page.getByRole("row").filter({ has: page.getByRole("cell", { name: "$5.00" }) });
  await expect(refunded).toHaveCount(1);
  await screenshot(page, "buyer-payments-refunded");
  await refunded.getByRole("link").click();
  const refunds = page.getByRole("table", { name: "Refunds" });
  await expect(refunds.getByRole("row").filter({ hasText: "Northwind Goods" })).toContainText("$5.00");
  await expect(refunds.getByText("Succeeded")).toBeVisible();
  await expect(page.getByText("$5.00 refunded")).toBeVisible();
  await expect(page.getByText("Strap came loose")).toHaveCount(0); // finance's reason stays internal
  await screenshot(page, "checkout-refunded");
});

test("an unusual basket waits for finance's review; once approved, the buyer pays it", async ({ page }) => {
  await signIn(page, accounts.buyer);
  await page.getByRole("button", { name: "Add Ceramic mug" }).click();
  // More than 20 of one item: the risk check asks for a review instead of charging. Up to 22 on
  // the cart line's stepper, then one back.
  const oneMore = page.getByRole("button", { name: "One more Ceramic mug" });
  for (let count = 1; count < 22; count++) await oneMore.click();
  await page.getByRole("button", { name: "One fewer Ceramic mug" }).click();
  await expect(page.getByLabel("Quantity of Ceramic mug")).toHaveText("21");
  await expect(page.getByTestId("cart-line")).toContainText("$304.50");
  await expect(page.getByTestId("cart-total")).toHaveText("$304.50");
  await page.getByRole("button", { name: "Checkout" }).click();
  await page.waitForURL(/\/checkout\//);
  const checkoutUrl = page.url();
  await expect(page.getByTestId("checkout-headline")).toHaveText("We are reviewing your order");
  await expect(page.getByText(/once the order is approved, you can continue to payment/)).toBeVisible();
  await screenshot(page, "checkout-in-review");
  await signOut(page);

  await signIn(page, accounts.finance);
  await page.goto("/finance/reviews");
  const held = page.locator(".panel").filter({ hasText: "$304.50" });
  await expect(held.getByText("Unusual basket: a very large quantity of one item")).toBeVisible();
  // What is in the basket, per seller, with a link to the order.
  const basket = held.getByRole("table", { name: "Basket" });
  await expect(basket.getByRole("cell", { name: "Ceramic mug × 21" })).toBeVisible();
  await expect(basket.getByRole("cell", { name: "Northwind Goods" })).toBeVisible();
  await held.getByLabel("Review note").fill("Café order, called the buyer");
  await screenshot(page, "finance-review-pending");
  await held.getByRole("button", { name: "Approve" }).click();
  await expect(page.getByText("Nothing waits for review.")).toBeVisible();
  await signOut(page);

  await signIn(page, accounts.buyer);
  await page.goto(checkoutUrl);
  await page.getByRole("link", { name: "Continue to payment" }).click();
  await page.waitForURL(/\/pay\/cs_/);
  await payOnHostedPage(page, "4242424242424242");
  await page.waitForURL(/\/checkout\//);
  await expect(page.getByTestId("checkout-headline")).toHaveText("Thank you — your payment went through");
  await screenshot(page, "checkout-review-paid");
});
