// Reconciliation on real parts: PostgreSQL, the PSP emulator's settlement data through the SDK.
// Every mismatch class is seeded, found, classified, and where auto-fixable fixed, so that a
// second run of the period is clean of it.
import { randomUUID } from "node:crypto";
import { beforeAll, describe, expect, it } from "vitest";
import { checkLedgerInvariants } from "@/server/ledger/invariants";
import { ensureSellerAccounts, postTransaction } from "@/server/ledger/post-transaction";
import { executeRefund, requestRefund } from "@/server/payin/refunds";
import { createPayoutRun } from "@/server/payout/create-run";
import { connectPayoutAccount } from "@/server/payout/settings";
import { driveRun } from "@/server/payout/transfers";
import { sessionIdOfPageUrl } from "@/server/psp/emulator/hosted-page";
import { getPsp } from "@/server/psp/instance";
import { startPayinHarness } from "@/server/test/payin-harness";
import { ingestFile, ingestFromPsp } from "./ingest";
import { matchSettlements } from "./match";
import { executeRun, startRun } from "./run";

process.env.PAYRAIL_RATE_LIMITS = "off";
process.env.RISK_VELOCITY_LIMIT = "1000";
// No worker: queued jobs never run, so the PSP can get ahead of Payrail on purpose.
const h = await startPayinHarness({ worker: false });
const period = { start: new Date(Date.now() - 3_600_000), end: new Date(Date.now() + 3_600_000) };

async function checkout(sync = true) {
  const buyer = await h.buyerCaller();
  const { checkoutId } = await buyer.payin.checkout({
    idempotencyKey: randomUUID(),
    items: [{ productId: h.products[0]!.id, quantity: 1 }],
  });
  const started = await buyer.payin.checkoutStatus({ checkoutId });
  // Unsynced: its webhooks are lost and the buyer never comes back, so only the PSP knows.
  if (!sync) await h.control("faults", { kind: "drop", count: 10 });
  await h.pay(sessionIdOfPageUrl(started.pspSessionUrl));
  if (!sync) await h.control("faults/clear");
  if (sync) await buyer.payin.checkoutStatus({ checkoutId }); // the return page applies the PSP's answer
  return checkoutId;
}

async function reconcile() {
  const run = await startRun(h.db, period, h.finance.user);
  await executeRun(h.db, getPsp(), run.id);
  const done = await h.db.reconRun.findUniqueOrThrow({ where: { id: run.id }, include: { items: true } });
  return done;
}

let paidId: string;
let unsyncedId: string;
let payoutId: string;
let missingAtPspId: string;
let failedRefundId: string;
let stuckCheckoutId: string;

beforeAll(async () => {
  paidId = await checkout();
  unsyncedId = await checkout(false); // a charge the ledger lacks (its webhook was never processed)
  missingAtPspId = await checkout();
  // Payrail holds this checkout as paid with a charge the PSP never settled.
  await h.sql.query(`UPDATE payment_event SET psp_charge_id = 'ch_never_settled' WHERE id = $1`, [
    missingAtPspId,
  ]);

  // A refund the PSP accepted, then failed; its refund.failed webhook is never processed here.
  const refundedId = await checkout();
  const order = await h.db.paymentOrder.findFirstOrThrow({ where: { paymentEventId: refundedId } });
  const refund = await requestRefund(h.db, h.finance.user, {
    paymentOrderId: order.id,
    amount: 300n, // $3.00
    reason: "damaged",
    idempotencyKey: randomUUID(),
  });
  await executeRefund(h.db, refund.id);
  const sent = await h.db.refund.findUniqueOrThrow({ where: { id: refund.id } });
  expect(sent.status).toBe("SUCCEEDED");
  await h.control("faults", { kind: "drop", count: 10 }); // its webhook is lost
  await h.control(`refunds/${sent.pspRefundId}/fail`);
  await h.control("faults/clear");
  failedRefundId = refund.id;

  // A checkout that never reached the PSP and has sat EXECUTING for two hours.
  stuckCheckoutId = randomUUID();
  await h.sql.query(
    `INSERT INTO payment_event (id, buyer_id, idempotency_key, request_hash, currency, total_amount, status, risk_decision, created_at, updated_at)
     SELECT $1, buyer_id, 'stuck', 'h', 'usd', 1000, 'EXECUTING', 'ALLOW', now() - interval '2 hours', now() - interval '2 hours'
       FROM payment_event LIMIT 1`,
    [stuckCheckoutId],
  );

  // A payout that the PSP reverses after Payrail recorded it as PAID.
  const seller = h.sellers[1]!.seller!;
  await ensureSellerAccounts(h.db, seller.id, "usd");
  await h.db.$transaction((tx) =>
    postTransaction(tx, {
      kind: "test.seed",
      reference: seller.id,
      currency: "usd",
      entries: [
        { account: "platform_bank", direction: "DEBIT", amount: 7_000n },
        { account: `seller_available:${seller.id}`, direction: "CREDIT", amount: 7_000n },
      ],
    }),
  );
  await connectPayoutAccount(h.db, h.sellers[1]!.user, seller.id);
  const run = await createPayoutRun(h.db, {
    trigger: "manual",
    onlyDue: false,
    actor: null,
    sellerIds: [seller.id],
  });
  await driveRun(h.db, run.id);
  const payout = await h.db.payout.findFirstOrThrow({ where: { sellerId: seller.id, status: "PAID" } });
  payoutId = payout.id;
  await h.control("faults", { kind: "drop", count: 10 }); // its webhook is lost
  await h.control(`transfers/${payout.pspTransferId}/reverse`);
  await h.control("faults/clear");
});

describe("reconciliation", () => {
  it("ingests the PSP's settlement data idempotently and posts each settlement once", async () => {
    const first = await ingestFromPsp(h.db, getPsp(), { from: period.start, to: period.end });
    expect(first.fetched).toBeGreaterThan(0);
    const postings = await h.db.ledgerTransaction.count({ where: { kind: "settlement" } });
    const again = await ingestFromPsp(h.db, getPsp(), { from: period.start, to: period.end });
    expect(again).toEqual({ fetched: first.fetched, stored: 0 });
    expect(await h.db.ledgerTransaction.count({ where: { kind: "settlement" } })).toBe(postings);
    expect((await checkLedgerInvariants(h.db)).violations).toEqual([]);
  });

  it("refuses a malformed settlement file whole, with the line at fault", async () => {
    const before = await h.db.settlementRecord.count();
    const finance = await h.financeCaller();
    await expect(
      finance.reconciliation.uploadSettlement({
        csv: "id,type,source,amount,fee,net,currency,created\ntxn_ok,charge,ch_x,1000,59,941,usd,1764900000\ntxn_bad,charge,ch_y,12.5,0,12.5,usd,1764900000",
      }),
    ).rejects.toMatchObject({ code: "BAD_REQUEST", message: expect.stringContaining("Line 3") });
    expect(await h.db.settlementRecord.count()).toBe(before);
  });

  it("finds, classifies and fixes every kind of mismatch; a second run is clean of the fixed ones", async () => {
    // Seed the classes the PSP's own data cannot produce, through a settlement file.
    const paid = await h.db.paymentEvent.findUniqueOrThrow({ where: { id: paidId } });
    const created = Math.floor(Date.now() / 1000);
    await ingestFile(
      h.db,
      [
        "id,type,source,amount,fee,net,currency,created",
        `txn_dup_${created},charge,${paid.pspChargeId},2500,103,2397,usd,${created}`, // the same charge settled twice
        `txn_fee_${created},charge,ch_unknown_fee,10000,400,9600,usd,${created}`, // unknown charge, fee 400 > 320 contracted
        `txn_rf_${created},refund,re_twice_${created},-500,0,-500,usd,${created}`, // a refund Payrail never made …
        `txn_rf2_${created},refund,re_twice_${created},-500,0,-500,usd,${created}`, // … settled twice
      ].join("\n"),
    );
    const first = await reconcile();
    expect(first.status).toBe("COMPLETED");
    const find = (area: string, outcome: string) =>
      first.items.filter((item) => item.area === area && item.outcome === outcome);

    const fixedCharge = first.items.find(
      (item) => item.area === "charge" && item.classification === "AUTO_FIXED",
    );
    expect(fixedCharge?.outcome).toBe("MISSING_IN_LEDGER");
    expect((await h.db.paymentEvent.findUniqueOrThrow({ where: { id: unsyncedId } })).status).toBe(
      "SUCCEEDED",
    );

    expect(find("charge", "DUPLICATE")[0]?.classification).toBe("MANUAL");
    // The fee above contract is booked as a claim on the PSP, once, audited.
    expect(
      find("fee", "AMOUNT_MISMATCH").find((item) => item.pspReference === "ch_unknown_fee"),
    ).toMatchObject({
      classification: "AUTO_FIXED",
      expectedAmount: 320n, // 2.9 % of $100.00 + 30¢
      actualAmount: 400n,
    });
    const claim = await h.db.ledgerTransaction.findFirstOrThrow({
      where: { kind: "settlement.fee_claim", reference: `txn_fee_${created}` },
      include: { entries: true },
    });
    expect(claim.entries.map((entry) => entry.amount)).toEqual([80n, 80n]);
    expect(await h.db.auditLog.count({ where: { action: "recon.auto-fix" } })).toBeGreaterThanOrEqual(3);
    // The refund that failed at the PSP after succeeding: the PSP's state applied, the posting reversed.
    expect(
      first.items.find((item) => item.area === "refund" && item.ourReference === failedRefundId),
    ).toMatchObject({
      outcome: "STATUS_MISMATCH",
      classification: "AUTO_FIXED",
    });
    expect((await h.db.refund.findUniqueOrThrow({ where: { id: failedRefundId } })).status).toBe("FAILED");
    expect(
      await h.db.ledgerTransaction.count({ where: { kind: "refund.reversal", reference: failedRefundId } }),
    ).toBe(1);
    // Internal: the stuck checkout is queued for a person.
    expect(
      first.items.find((item) => item.area === "internal" && item.ourReference === stuckCheckoutId),
    ).toMatchObject({ outcome: "STATUS_MISMATCH", classification: "UNCLASSIFIED" });
    expect(find("refund", "DUPLICATE")).toMatchObject([
      {
        pspReference: `re_twice_${created}`,
        classification: "MANUAL",
        settlementRecordId: expect.any(BigInt),
      },
    ]);
    expect(
      find("charge", "MISSING_IN_LEDGER").some(
        (item) => item.pspReference === "ch_unknown_fee" && item.classification === "UNCLASSIFIED",
      ),
    ).toBe(true);
    expect(find("refund", "MISSING_IN_LEDGER")[0]?.classification).toBe("UNCLASSIFIED");
    expect(
      find("charge", "MISSING_AT_PSP").find((item) => item.ourReference === missingAtPspId),
    ).toMatchObject({
      pspReference: "ch_never_settled",
      classification: "MANUAL",
    });

    const reversed = first.items.find((item) => item.area === "transfer" && item.ourReference === payoutId);
    expect(reversed).toMatchObject({ outcome: "STATUS_MISMATCH", classification: "AUTO_FIXED" });
    expect((await h.db.payout.findUniqueOrThrow({ where: { id: payoutId } })).status).toBe("FAILED");
    expect(
      (await h.db.wallet.findFirstOrThrow({ where: { sellerId: h.sellers[1]!.seller!.id } })).available,
    ).toBe(7_000n);
    expect((first.counts as Record<string, number>).MATCHED).toBeGreaterThan(0);
    expect((await checkLedgerInvariants(h.db)).violations).toEqual([]);

    const second = await reconcile();
    expect(second.previousRunId).toBe(first.id);
    expect(second.items.filter((item) => item.classification === "AUTO_FIXED")).toEqual([]);
    expect(second.items.filter((item) => item.area === "fee")).toEqual([]);
    // Manual items stay queued until finance decides; the unknown charge is still unexplained.
    expect(second.items.some((item) => item.area === "refund" && item.outcome === "DUPLICATE")).toBe(true);
    expect(second.items.some((item) => item.ourReference === payoutId)).toBe(false);
    expect(second.items.some((item) => item.ourReference === failedRefundId)).toBe(false);
    expect(second.items.some((item) => item.area === "charge" && item.ourReference === unsyncedId)).toBe(
      false,
    );
    expect(second.changes).toBeTruthy();
  });

  it("lets finance resolve, adjust or ignore a mismatch, audited, and only once", async () => {
    const run = await h.db.reconRun.findFirstOrThrow({ orderBy: { startedAt: "desc" } });
    const open = await h.db.reconItem.findMany({ where: { runId: run.id, resolution: "OPEN" }, take: 2 });
    const finance = await h.financeCaller();
    await finance.reconciliation.resolve({
      itemId: open[0]!.id,
      action: "ADJUST",
      note: "PSP fee refund booked",
      adjustment: 41n,
    });
    await expect(
      finance.reconciliation.resolve({ itemId: open[0]!.id, action: "IGNORE", note: "again" }),
    ).rejects.toMatchObject({
      code: "CONFLICT",
    });
    await finance.reconciliation.resolve({ itemId: open[1]!.id, action: "IGNORE", note: "Known test data" });
    expect(await h.db.auditLog.count({ where: { action: { in: ["recon.adjust", "recon.ignore"] } } })).toBe(
      2,
    );
    expect(await h.db.ledgerTransaction.count({ where: { kind: "recon.adjustment" } })).toBe(1);
    expect((await checkLedgerInvariants(h.db)).violations).toEqual([]);

    // The next run finds the same mismatches and keeps finance's decisions: nothing adjusted twice.
    const next = await reconcile();
    const again = (item: (typeof open)[number]) =>
      next.items.find(
        (found) =>
          found.area === item.area &&
          found.outcome === item.outcome &&
          found.pspReference === item.pspReference &&
          found.ourReference === item.ourReference,
      );
    expect(again(open[0]!)).toMatchObject({ resolution: "ADJUSTED", resolvedBy: h.finance.user.id });
    expect(again(open[1]!)).toMatchObject({ resolution: "IGNORED" });
  });

  it("stores an uploaded settlement file once: a second upload changes nothing", async () => {
    const finance = await h.financeCaller();
    const created = Math.floor(Date.now() / 1000);
    const csv = [
      "id,type,source,amount,fee,net,currency,created",
      `txn_up_${created},charge,ch_upload_${created},2000,88,1912,usd,${created}`, // 2.9 % + 30¢ = 88
      `txn_po_${created},payout,po_upload_${created},-1912,0,-1912,usd,${created}`,
    ].join("\n");
    const postings = await h.db.ledgerTransaction.count({ where: { kind: "settlement" } });
    expect(await finance.reconciliation.uploadSettlement({ csv })).toEqual({ rows: 2, stored: 2 });
    expect(await finance.reconciliation.uploadSettlement({ csv })).toEqual({ rows: 2, stored: 0 });
    const stored = await h.db.settlementRecord.findUniqueOrThrow({
      where: { pspBalanceTransactionId: `txn_up_${created}` },
    });
    expect(stored).toMatchObject({ origin: "FILE", amount: 2000n, fee: 88n, net: 1912n });
    // The charge settles once (bank + fee from clearing); the payout to the bank posts nothing.
    expect(await h.db.ledgerTransaction.count({ where: { kind: "settlement" } })).toBe(postings + 1);
    expect((await checkLedgerInvariants(h.db)).violations).toEqual([]);
  });

  it("matches in batches of ids and reports progress after each", async () => {
    const run = await h.db.reconRun.create({ data: { periodStart: period.start, periodEnd: period.end } });
    const seen: number[] = [];
    const counts = await matchSettlements(
      h.db,
      run.id,
      period,
      async (processed) => {
        seen.push(processed);
      },
      { batchSize: 3, parallel: 2 },
    );
    const records = await h.db.settlementRecord.count({
      where: { createdAtPsp: { gte: period.start, lt: period.end } },
    });
    expect(counts.records).toBe(records);
    expect(seen.length).toBeGreaterThan(2);
    expect(seen).toEqual([...seen].sort((a, b) => a - b));
    expect(seen.at(-1)).toBe(records);
  });
});
