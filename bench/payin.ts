// Pay-in throughput on PostgreSQL with the PSP emulator (in this process, through the stripe SDK):
// checkouts created (idempotent insert, risk check, PSP session), then successes recorded (orders,
// ledger postings, wallets) as the webhook processor does.
//   npm run bench -- payin [checkouts=2000] [parallel=32]
import { randomUUID } from "node:crypto";
import { createPostgresClient } from "@/server/db";
import { checkLedgerInvariants } from "@/server/ledger/invariants";
import { createCheckout } from "@/server/payin/create-checkout";
import { recordPaymentSucceeded } from "@/server/payin/record-outcome";
import { startPspEmulator } from "@/server/psp/emulator/server";
import { benchDatabase, perSecond, runConcurrently } from "./lib";

const total = Number(process.argv[2] ?? 2_000);
const parallel = Number(process.argv[3] ?? 32);
const { cluster, url } = await benchDatabase();
const emulator = await startPspEmulator({ port: 0 });
Object.assign(process.env, {
  PSP_EMULATOR_URL: emulator.url,
  RISK_VELOCITY_LIMIT: "1000000",
  LOG_LEVEL: "error",
});
const db = createPostgresClient(url, parallel + 4);
try {
  const users = await db.user.createManyAndReturn({
    data: Array.from({ length: 60 }, (_, index) => ({
      email: `u${index}@bench`,
      name: `User ${index}`,
      passwordHash: "x",
      role: index < 20 ? ("SELLER" as const) : ("BUYER" as const),
    })),
  });
  const sellers = await db.seller.createManyAndReturn({
    data: users
      .filter((user) => user.role === "SELLER")
      .map((user) => ({ userId: user.id, name: user.name })),
  });
  const products = await db.product.createManyAndReturn({
    data: sellers.flatMap((seller, index) => [
      { sellerId: seller.id, name: `A${index}`, price: 1_250n + BigInt(index) },
      { sellerId: seller.id, name: `B${index}`, price: 3_999n },
    ]),
  });
  const buyers = users.filter((user) => user.role === "BUYER");
  const checkoutIds: string[] = [];
  const checkoutMs = await runConcurrently(total, parallel, async (index) => {
    const buyer = buyers[index % buyers.length]!;
    const items = [products[index % products.length]!, products[(index * 7 + 3) % products.length]!];
    const { checkoutId } = await createCheckout(db, buyer, {
      idempotencyKey: randomUUID(),
      items: [...new Set(items.map((product) => product.id))].map((productId) => ({
        productId,
        quantity: 1,
      })),
    });
    checkoutIds.push(checkoutId);
  });
  const withSession = await db.paymentEvent.count({ where: { pspSessionId: { not: null } } });
  const successMs = await runConcurrently(checkoutIds.length, parallel, async (index) => {
    await recordPaymentSucceeded(db, checkoutIds[index]!, {
      paymentIntentId: null,
      chargeId: null,
      actor: "bench",
    });
  });
  const invariants = await checkLedgerInvariants(db);
  console.log(
    `payin: ${total} checkouts (2 sellers each, PSP session included), ${parallel} in flight: ${perSecond(total, checkoutMs)} checkouts/s`,
  );
  console.log(`payin: ${withSession} of ${total} checkouts got their PSP session`);
  console.log(
    `payin: ${checkoutIds.length} successes recorded and posted: ${perSecond(checkoutIds.length, successMs)} checkouts/s`,
  );
  console.log(
    `ledger invariants after the run: ${invariants.ok ? "hold" : JSON.stringify(invariants.violations)}`,
  );
} finally {
  await db.$disconnect();
  await emulator.close();
  await cluster.stop();
}
