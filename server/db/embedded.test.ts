// The embedded database (PGlite: what `npm start` runs on without DATABASE_URL) takes the same
// migrations and runs the money path's SQL as PostgreSQL does: checkouts priced together, paid
// through the emulator, posted and balanced.
import { randomUUID } from "node:crypto";
import { PGlite } from "@electric-sql/pglite";
import { PrismaPGlite } from "pglite-prisma-adapter";
import { afterAll, expect, it } from "vitest";
import { PrismaClient } from "@/generated/prisma/client";
import { checkLedgerInvariants } from "@/server/ledger/invariants";
import { createCheckout } from "@/server/payin/create-checkout";
import { syncPaymentStatus } from "@/server/payin/sync-status";
import { sweepUnprocessedWebhooks } from "@/server/payin/webhooks";
import { startPspEmulator } from "@/server/psp/emulator/server";
import { createUser } from "@/server/test/factories";
import { pgliteRunner } from "./embedded";
import { migrate } from "./migrate";

const pg = await PGlite.create(); // in memory
await migrate(pgliteRunner(pg));
const db = new PrismaClient({ adapter: new PrismaPGlite(pg) });
const emulator = await startPspEmulator({ port: 0 });
process.env.PSP_EMULATOR_URL = emulator.url;
afterAll(async () => {
  await db.$disconnect();
  await pg.close();
  await emulator.close();
});

it("stores, pays and posts checkouts on the embedded database", async () => {
  const { user: buyer } = await createUser(db, "BUYER");
  const sellers = await Promise.all([createUser(db, "SELLER"), createUser(db, "SELLER")]);
  const products = await Promise.all(
    sellers.map(({ seller }, index) =>
      db.product.create({ data: { sellerId: seller!.id, name: `Product ${index}`, price: 1_999n } }),
    ),
  );
  const cart = () => ({
    idempotencyKey: randomUUID(),
    items: products.map((product) => ({ productId: product.id, quantity: 1 })),
  });
  // Three at once: priced in batches, each stored with its PSP session.
  const checkouts = await Promise.all(
    [cart(), cart(), cart()].map((input) => createCheckout(db, { id: buyer.id, name: buyer.name }, input)),
  );
  for (const { checkoutId } of checkouts) {
    const { pspSessionId } = await db.paymentEvent.findUniqueOrThrow({ where: { id: checkoutId } });
    const paid = await fetch(`${emulator.url}/_emulator/checkout_sessions/${pspSessionId}/complete`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ card: "4242424242424242" }),
    });
    expect(paid.status).toBe(200);
    expect(await syncPaymentStatus(db, checkoutId, "test")).toBe("succeeded");
  }
  expect(await db.paymentOrder.count({ where: { status: "SUCCESS", ledgerUpdated: true } })).toBe(6);
  expect(await db.wallet.findMany({ select: { pending: true } })).toEqual([
    { pending: 3n * 1_800n },
    { pending: 3n * 1_800n },
  ]);
  expect((await checkLedgerInvariants(db)).violations).toEqual([]);
  // The webhook sweep's statement runs here too (no event is waiting, so no job is enqueued).
  expect(await sweepUnprocessedWebhooks(db, 0)).toBe(0);
});
