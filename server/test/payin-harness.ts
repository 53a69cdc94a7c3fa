// Everything a pay-in integration test needs, all real: a fresh PostgreSQL database, the PSP
// emulator, a webhook endpoint running Payrail's own receiver, seeded sellers and products,
// and a job worker. Only loopback addresses.
import { afterAll } from "vitest";
import { stopBoss } from "@/server/jobs/boss";
import { startWorker } from "@/server/jobs/worker";
import { startPspEmulator } from "@/server/psp/emulator/server";
import { WEBHOOK_EVENT_TYPES } from "@/server/psp/webhook-events";
import { callerAs, createUser } from "./callers";
import { createTestDatabase } from "./database";
import { startWebhookReceiver } from "./webhook-receiver";

export const WEBHOOK_SECRET = "whsec_test_harness";

export async function startPayinHarness(options: { worker?: boolean } = {}) {
  const database = await createTestDatabase();
  process.env.DATABASE_URL = database.url;
  process.env.PSP_WEBHOOK_SECRETS = WEBHOOK_SECRET;

  const receiver = await startWebhookReceiver(database.db, WEBHOOK_SECRET);

  const emulator = await startPspEmulator({
    port: 0,
    webhookEndpoints: [{ url: receiver.url, secret: WEBHOOK_SECRET, enabledEvents: WEBHOOK_EVENT_TYPES }],
  });
  process.env.PSP_EMULATOR_URL = emulator.url;
  process.env.APP_URL = "http://127.0.0.1:3999";

  const worker = options.worker === false ? null : await startWorker({ pollingIntervalSeconds: 0.5 });

  const buyer = await createUser(database.db, "BUYER", { name: "Test Buyer" });
  const finance = await createUser(database.db, "FINANCE");
  const sellers = await Promise.all([
    createUser(database.db, "SELLER", { commissionBps: 1000 }),
    createUser(database.db, "SELLER", { commissionBps: 800 }),
  ]);
  const products = await Promise.all(
    sellers.map((seller, index) =>
      database.db.product.create({
        data: { sellerId: seller.seller!.id, name: `Product ${index}`, price: 2500n + BigInt(index) * 1000n },
      }),
    ),
  );

  afterAll(async () => {
    await worker?.stop();
    await stopBoss();
    await emulator.close();
    await receiver.close();
  });

  return {
    ...database,
    emulator,
    buyer,
    finance,
    sellers,
    products,
    buyerCaller: () => callerAs(database.db, buyer.user.id),
    financeCaller: () => callerAs(database.db, finance.user.id),
    sellerCaller: (index: number) => callerAs(database.db, sellers[index]!.user.id),
    /** Pays an open session at the emulator as a buyer would on the hosted page. */
    async pay(sessionId: string, card = "4242424242424242") {
      const response = await fetch(`${emulator.url}/_emulator/checkout_sessions/${sessionId}/complete`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ card }),
      });
      return { status: response.status, body: (await response.json()) as Record<string, unknown> };
    },
    async control(path: string, body: unknown = {}) {
      const response = await fetch(`${emulator.url}/_emulator/${path}`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify(body),
      });
      return response.json() as Promise<Record<string, unknown>>;
    },
  };
}
