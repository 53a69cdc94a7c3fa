// The demo data `npm start` loads: created once, and each demo seller's payout account opened
// once at the PSP however often the start runs.
import { afterAll, expect, it } from "vitest";
import { startPspEmulator } from "@/server/psp/emulator/server";
import { connectDemoPayoutAccounts, seedDemo } from "./seed";
import { createTestDatabase } from "./test/database";

const { db } = await createTestDatabase();
const emulator = await startPspEmulator({ port: 0 });
process.env.PSP_EMULATOR_URL = emulator.url;
afterAll(() => emulator.close());

it("seeds the demo once and connects each demo seller's payout account once", async () => {
  const { sellerIds } = await seedDemo(db);
  expect((await seedDemo(db)).sellerIds).toEqual(sellerIds);
  await connectDemoPayoutAccounts(db);
  const accounts = await db.payoutSettings.findMany({ where: { sellerId: { in: sellerIds } } });
  expect(accounts).toHaveLength(3);
  for (const { pspAccountId } of accounts) expect(pspAccountId).toMatch(/^acct_/);

  await connectDemoPayoutAccounts(db);
  expect(await db.payoutSettings.findMany({ where: { sellerId: { in: sellerIds } } })).toEqual(accounts);
  expect(Object.keys(emulator.engine.store.state.accounts)).toHaveLength(3);
  expect(await db.auditLog.count({ where: { action: "payout.account.connect" } })).toBe(3);
});
