// Demo data for `npm start` and the e2e tests: one buyer, three sellers with products, finance;
// and, once a PSP emulator runs, each demo seller's connected payout account.

import { hashPassword } from "@/server/auth/password";
import type { Db, DbOrTx } from "@/server/db";
import { connectPayoutAccount } from "@/server/payout/settings";

export const DEMO_PASSWORD = "payrail-demo-pass";

const sellers = [
  {
    email: "seller1@payrail.test",
    name: "Northwind Goods",
    commissionBps: 1000,
    products: [
      ["Canvas tote bag", 2400n],
      ["Ceramic mug", 1450n],
      ["Linen apron", 3900n],
    ],
  },
  {
    email: "seller2@payrail.test",
    name: "Blue Fern Books",
    commissionBps: 800,
    products: [
      ["Field guide to ferns", 2899n],
      ["Pocket notebook", 650n],
    ],
  },
  {
    email: "seller3@payrail.test",
    name: "Harbor Coffee",
    commissionBps: 1200,
    products: [
      ["Whole beans, 1 kg", 3200n],
      ["Pour-over kit", 5600n],
    ],
  },
] as const;

/** Creates the demo accounts once; a second call changes nothing. Returns the seller ids. */
export async function seedDemo(db: DbOrTx): Promise<{ sellerIds: string[] }> {
  const passwordHash = await hashPassword(DEMO_PASSWORD);
  for (const [email, name, role] of [
    ["buyer@payrail.test", "Bea Buyer", "BUYER"],
    ["buyer2@payrail.test", "Ben Buyer", "BUYER"],
    ["finance@payrail.test", "Fin Ops", "FINANCE"],
  ] as const) {
    await db.user.upsert({ where: { email }, update: {}, create: { email, name, role, passwordHash } });
  }
  const sellerIds: string[] = [];
  for (const seller of sellers) {
    const user = await db.user.upsert({
      where: { email: seller.email },
      update: {},
      create: { email: seller.email, name: seller.name, role: "SELLER", passwordHash },
    });
    let row = await db.seller.findUnique({ where: { userId: user.id } });
    if (!row) {
      row = await db.seller.create({
        data: { userId: user.id, name: seller.name, commissionBps: seller.commissionBps },
      });
      await db.product.createMany({
        data: seller.products.map(([name, price]) => ({ sellerId: row!.id, name, price })),
      });
    }
    sellerIds.push(row.id);
  }
  return { sellerIds };
}

/**
 * Gives each demo seller that has none a connected payout account at the PSP, as a seller would
 * from /seller/payouts (the PSP call is idempotent on the seller). Only for the emulator that
 * `npm start` runs: a real PSP's accounts are opened by the sellers themselves.
 */
export async function connectDemoPayoutAccounts(db: Db): Promise<void> {
  for (const { email } of sellers) {
    const user = await db.user.findUnique({ where: { email }, include: { seller: true } });
    if (user?.seller) await connectPayoutAccount(db, user, user.seller.id);
  }
}
