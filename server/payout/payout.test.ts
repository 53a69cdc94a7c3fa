// Payouts end to end against a real PostgreSQL and the PSP emulator: scheduled runs, failures
// and reversals, crash/resume with concurrent drivers, carry-over, approval, bad input.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { stopBoss } from "@/server/jobs/boss";
import { startWorker } from "@/server/jobs/worker";
import { checkLedgerInvariants } from "@/server/ledger/invariants";
import { ensureSellerAccounts, postTransaction } from "@/server/ledger/post-transaction";
import { type EmulatorHandle, startPspEmulator } from "@/server/psp/emulator/server";
import { resetRateLimits } from "@/server/security/rate-limit";
import { createUser, sessionFor, TEST_PASSWORD } from "@/server/test/callers";
import { createTestDatabase } from "@/server/test/database";
import { waitFor } from "@/server/test/wait-for";
import { createCallerFactory, createContext } from "@/server/trpc";
import { createPayoutRun } from "./create-run";
import { approveRun, retryPayout, updatePayoutPolicy } from "./manage-run";
import { handlePayoutPspEvent } from "./psp-events";
import { payoutRunReport } from "./report";
import { payoutRouter } from "./router";
import { connectPayoutAccount, upcomingPayout } from "./settings";
import { claimPendingPayouts, confirmPayout, driveRun, recoverStalePayouts } from "./transfers";

const database = await createTestDatabase();
const { db } = database;
let emulator: EmulatorHandle;

beforeAll(async () => {
  process.env.DATABASE_URL = database.url;
  emulator = await startPspEmulator({ port: 0 });
  process.env.PSP_EMULATOR_URL = emulator.url;
  process.env.STRIPE_TIMEOUT_MS = "3000";
  resetRateLimits();
});

afterAll(async () => {
  await stopBoss();
  await emulator.close();
});

async function control(path: string, body: unknown = {}) {
  const response = await fetch(`${emulator.url}/_emulator/${path}`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(body),
  });
  return response.json() as Promise<Record<string, unknown>>;
}

async function transfersAtPsp(): Promise<number> {
  const response = await fetch(`${emulator.url}/_emulator/state`);
  return ((await response.json()) as { transfers: number }).transfers;
}

async function seedAvailable(sellerId: string, amount: bigint) {
  await db.$transaction(async (tx) => {
    await ensureSellerAccounts(tx, sellerId, "usd");
    await postTransaction(tx, {
      kind: "test.seed",
      reference: `${sellerId}:${crypto.randomUUID()}`,
      currency: "usd",
      entries: [
        { account: "psp_clearing", direction: "DEBIT", amount },
        { account: `seller_available:${sellerId}`, direction: "CREDIT", amount },
      ],
    });
  });
}

async function available(sellerId: string): Promise<bigint> {
  const wallet = await db.wallet.findUnique({ where: { sellerId_currency: { sellerId, currency: "usd" } } });
  return wallet?.available ?? 0n;
}

/** A seller with a connected account at the emulator, settings and an available balance. */
async function seller(
  balance: bigint,
  settings: Partial<{
    schedule: "MONTHLY" | "WEEKLY" | "DAILY" | "MANUAL";
    dayOfMonth: number;
    dayOfWeek: number;
    minimumAmount: bigint;
    reserveAmount: bigint;
  }> = {},
  connect = true,
) {
  const { user, seller } = await createUser(db, "SELLER");
  const sellerId = seller!.id;
  await db.payoutSettings.create({ data: { sellerId, ...settings } });
  if (connect) await connectPayoutAccount(db, { id: user.id, email: user.email }, sellerId);
  if (balance > 0n) await seedAvailable(sellerId, balance);
  return { user, sellerId };
}

async function expectInvariants() {
  const result = await checkLedgerInvariants(db);
  expect(result.violations).toEqual([]);
  expect(result.ok).toBe(true);
}

async function financeCaller(userId: string) {
  const token = await sessionFor(db, userId);
  const headers = new Headers({ cookie: `payrail_session=${token}` });
  return createCallerFactory(payoutRouter)(await createContext({ headers, db }));
}

describe("payout runs", () => {
  it("a monthly run pays every due seller exactly once, keeping the reserve", async () => {
    const due = await Promise.all([
      seller(12_000n), // $120.00
      seller(3_500n),
      seller(8_000n, { reserveAmount: 1_000n }), // keeps $10.00
    ]);
    const weekly = await seller(9_000n, { schedule: "WEEKLY", dayOfWeek: 3 }); // not due on the 1st
    const noAccount = await seller(9_000n, {}, false);
    const before = await transfersAtPsp();

    const now = new Date("2027-02-01T06:00:00Z"); // a Monday, the 1st
    const run = await createPayoutRun(db, { trigger: "schedule", onlyDue: true, actor: null, now });
    expect(run.status).toBe("PROCESSING");
    expect(run.payoutCount).toBe(3);
    expect(run.totalAmount).toBe(12_000n + 3_500n + 7_000n);
    expect(run.noAccountCount).toBeGreaterThanOrEqual(1);
    // Money left the wallets with the snapshot, into payouts_in_transit.
    expect(await available(due[2]!.sellerId)).toBe(1_000n);

    // The tick fires again the same day: the same run, nothing new.
    const again = await createPayoutRun(db, { trigger: "schedule", onlyDue: true, actor: null, now });
    expect(again.id).toBe(run.id);

    expect(await driveRun(db, run.id)).toBe(3);
    expect(await driveRun(db, run.id)).toBe(0);
    const payouts = await db.payout.findMany({ where: { runId: run.id } });
    expect(payouts.map((payout) => payout.status)).toEqual(["PAID", "PAID", "PAID"]);
    expect(new Set(payouts.map((payout) => payout.pspTransferId)).size).toBe(3);
    expect(await transfersAtPsp()).toBe(before + 3);
    expect((await db.payoutRun.findUniqueOrThrow({ where: { id: run.id } })).status).toBe("COMPLETED");
    const csv = await new Response(await payoutRunReport(db, run.id, 2)).text();
    const lines = csv.trim().split("\n");
    expect(lines[0]).toMatch(/^payout_id,run_id,seller_id/);
    expect(lines).toHaveLength(4);
    expect(lines.filter((line) => line.includes(",PAID,"))).toHaveLength(3);
    expect(await available(due[0]!.sellerId)).toBe(0n);
    expect(await available(weekly.sellerId)).toBe(9_000n);
    expect(await available(noAccount.sellerId)).toBe(9_000n);
    await expectInvariants();
  });

  it("a PSP refusal fails the payout and returns the money; finance retries it", async () => {
    const { user } = await createUser(db, "FINANCE");
    const target = await seller(4_200n);
    // The connected account stops accepting transfers.
    const settings = await db.payoutSettings.findUniqueOrThrow({ where: { sellerId: target.sellerId } });
    await control(`accounts/${settings.pspAccountId}/fail_transfers`, { fail: true });

    const run = await createPayoutRun(db, {
      trigger: "manual",
      onlyDue: false,
      actor: null,
      sellerIds: [target.sellerId],
    });
    expect(await available(target.sellerId)).toBe(0n);
    await driveRun(db, run.id);
    const failed = await db.payout.findFirstOrThrow({ where: { runId: run.id } });
    expect(failed.status).toBe("FAILED");
    expect(failed.failureReason).toMatch(/capabilit/);
    expect(await available(target.sellerId)).toBe(4_200n);
    await expectInvariants();

    // Fixed at the PSP; finance retries: a new payout with a new idempotency key.
    await control(`accounts/${settings.pspAccountId}/fail_transfers`, { fail: false });
    const retry = await retryPayout(db, { id: user.id, email: user.email }, failed.id);
    expect(retry.attempt).toBe(2);
    await expect(retryPayout(db, { id: user.id, email: user.email }, failed.id)).rejects.toThrow(
      /already retried/,
    );
    await driveRun(db, run.id);
    expect((await db.payout.findUniqueOrThrow({ where: { id: retry.id } })).status).toBe("PAID");
    expect(await available(target.sellerId)).toBe(0n);
    await expectInvariants();
  });

  it("a transfer reversed after it was paid returns the money once", async () => {
    const target = await seller(2_500n);
    const run = await createPayoutRun(db, {
      trigger: "manual",
      onlyDue: false,
      actor: null,
      sellerIds: [target.sellerId],
    });
    await driveRun(db, run.id);
    const paid = await db.payout.findFirstOrThrow({ where: { runId: run.id } });
    expect(paid.status).toBe("PAID");
    const transfer = await control(`transfers/${paid.pspTransferId}/reverse`);
    expect(transfer.transfer).toBe(paid.pspTransferId);
    const event = {
      id: "evt_test_reversal",
      type: "transfer.reversed",
      data: {
        object: {
          id: paid.pspTransferId,
          object: "transfer",
          reversed: true,
          amount_reversed: 2500,
          metadata: { payout_id: paid.id },
        },
      },
    } as never;
    await handlePayoutPspEvent(db, event);
    await handlePayoutPspEvent(db, event); // a duplicate delivery changes nothing
    const reversed = await db.payout.findUniqueOrThrow({ where: { id: paid.id } });
    expect(reversed.status).toBe("FAILED");
    expect(await available(target.sellerId)).toBe(2_500n);
    await expectInvariants();
  });

  it("a crash mid-run and concurrent drivers pay nobody twice and skip nobody", async () => {
    const sellers = await Promise.all(
      Array.from({ length: 8 }, (_, index) => seller(1_000n + BigInt(index) * 100n)),
    );
    const ids = sellers.map((item) => item.sellerId);
    const before = await transfersAtPsp();
    const run = await createPayoutRun(db, { trigger: "manual", onlyDue: false, actor: null, sellerIds: ids });
    expect(run.payoutCount).toBe(8);

    // A driver claims two payouts and dies before calling the PSP.
    const orphaned = await claimPendingPayouts(db, run.id, 2, "crashed-driver");
    expect(orphaned).toHaveLength(2);
    // Another sends one whose answer is lost (the PSP made the transfer; the client timed out).
    process.env.STRIPE_TIMEOUT_MS = "300";
    // The SDK retries with the same key; those retries hit 500s, so the outcome stays unknown.
    await control("faults", {
      kind: "timeout_after_effect",
      path: "/v1/transfers",
      method: "POST",
      count: 1,
    });
    await control("faults", { kind: "error500", path: "/v1/transfers", method: "POST", count: 2 });
    await driveRun(db, run.id, { batchSize: 1, maxBatches: 1 });
    process.env.STRIPE_TIMEOUT_MS = "3000";
    await control("faults/clear");
    const unknown = await db.payout.findMany({ where: { runId: run.id, status: "PROCESSING" } });
    expect(unknown).toHaveLength(3);

    // The run is resumed by two drivers at once, and recovery asks the PSP about the rest.
    await Promise.all([driveRun(db, run.id, { batchSize: 2 }), driveRun(db, run.id, { batchSize: 2 })]);
    await recoverStalePayouts(db, { olderThanMs: 0 });
    const payouts = await db.payout.findMany({ where: { runId: run.id } });
    expect(payouts.every((payout) => payout.status === "PAID")).toBe(true);
    expect(new Set(payouts.map((payout) => payout.pspTransferId)).size).toBe(8);
    expect(await transfersAtPsp()).toBe(before + 8);
    // Running everything again is a no-op.
    await recoverStalePayouts(db, { olderThanMs: 0 });
    await driveRun(db, run.id);
    for (const payout of payouts) expect(await confirmPayout(db, payout.id)).toBe("settled");
    expect(await transfersAtPsp()).toBe(before + 8);
    // A second snapshot while nothing is in flight finds nothing to pay.
    const rerun = await createPayoutRun(db, {
      trigger: "manual",
      onlyDue: false,
      actor: null,
      sellerIds: ids,
    });
    expect(rerun.payoutCount).toBe(0);
    expect((await db.payoutRun.findUniqueOrThrow({ where: { id: run.id } })).status).toBe("COMPLETED");
    await expectInvariants();
  });

  it("a seller below the minimum is carried to the next run", async () => {
    const small = await seller(3_000n, { minimumAmount: 5_000n }); // $30 < $50
    const first = await createPayoutRun(db, {
      trigger: "manual",
      onlyDue: false,
      actor: null,
      sellerIds: [small.sellerId],
    });
    expect(first.payoutCount).toBe(0);
    expect(first.belowMinimumCount).toBe(1);
    expect(await available(small.sellerId)).toBe(3_000n);

    await seedAvailable(small.sellerId, 3_000n);
    const second = await createPayoutRun(db, {
      trigger: "manual",
      onlyDue: false,
      actor: null,
      sellerIds: [small.sellerId],
    });
    expect(second.payoutCount).toBe(1);
    expect(second.totalAmount).toBe(6_000n);
    await driveRun(db, second.id);
    expect(await available(small.sellerId)).toBe(0n);
    await expectInvariants();
  });

  it("a run that needs approval sends nothing until approved with the right password", async () => {
    const { user } = await createUser(db, "FINANCE");
    const actor = { id: user.id, email: user.email };
    await updatePayoutPolicy(db, actor, { requireApproval: true, approvalThreshold: null });
    try {
      const target = await seller(7_700n);
      const before = await transfersAtPsp();
      const run = await createPayoutRun(db, {
        trigger: "manual",
        onlyDue: false,
        actor,
        sellerIds: [target.sellerId],
      });
      expect(run.status).toBe("AWAITING_APPROVAL");
      expect(await driveRun(db, run.id)).toBe(0);
      expect(await transfersAtPsp()).toBe(before);

      const caller = await financeCaller(user.id);
      await expect(caller.approveRun({ runId: run.id, password: "wrong password!" })).rejects.toMatchObject({
        code: "FORBIDDEN",
      });
      expect((await db.payoutRun.findUniqueOrThrow({ where: { id: run.id } })).status).toBe(
        "AWAITING_APPROVAL",
      );

      const approved = await approveRun(db, actor, run.id, TEST_PASSWORD);
      expect(approved.status).toBe("PROCESSING");
      expect(approved.approvedBy).toBe(user.id);
      expect(approved.approvedAt).toBeInstanceOf(Date);
      await driveRun(db, run.id);
      expect(await transfersAtPsp()).toBe(before + 1);
      await expectInvariants();
    } finally {
      await updatePayoutPolicy(db, actor, { requireApproval: false, approvalThreshold: null });
    }
  });

  it("bad input is a typed error that writes nothing; roles are enforced", async () => {
    const target = await seller(0n);
    const caller = await financeCaller(target.user.id);
    const auditBefore = await db.auditLog.count();
    const settingsBefore = await db.payoutSettings.findUniqueOrThrow({
      where: { sellerId: target.sellerId },
    });
    const valid = {
      schedule: "MONTHLY" as const,
      dayOfMonth: 15,
      dayOfWeek: 1,
      minimumAmount: 100n,
      reserveAmount: 0n,
    };
    for (const input of [
      { ...valid, dayOfMonth: 31 },
      { ...valid, dayOfWeek: 7 },
      { ...valid, minimumAmount: -1n },
      { ...valid, reserveAmount: 10n ** 15n },
      { ...valid, schedule: "HOURLY" },
    ]) {
      await expect(caller.updateSettings(input as never)).rejects.toMatchObject({ code: "BAD_REQUEST" });
    }
    await expect(caller.listRuns({ limit: 10 })).rejects.toMatchObject({ code: "FORBIDDEN" });
    const { user } = await createUser(db, "FINANCE");
    const finance = await financeCaller(user.id);
    await expect(finance.retryPayout({ payoutId: "not-a-uuid" })).rejects.toMatchObject({
      code: "BAD_REQUEST",
    });
    await expect(finance.retryPayout({ payoutId: crypto.randomUUID() })).rejects.toMatchObject({
      code: "NOT_FOUND",
    });
    await expect(finance.approveRun({ runId: crypto.randomUUID(), password: "" })).rejects.toMatchObject({
      code: "BAD_REQUEST",
    });
    expect(await db.auditLog.count()).toBe(auditBefore);
    expect(await db.payoutSettings.findUniqueOrThrow({ where: { sellerId: target.sellerId } })).toEqual(
      settingsBefore,
    );

    // The valid update goes through, and the seller sees their own upcoming payout.
    await caller.updateSettings(valid);
    const upcoming = await caller.upcoming();
    expect(upcoming.nextDate?.getUTCDate()).toBe(15);
    expect(upcoming.blocker).toMatch(/Nothing to pay out yet/);
    // With money available but less than the minimum, the seller is told it carries over.
    const small = await seller(500n, { minimumAmount: 1_000n });
    expect((await upcomingPayout(db, small.sellerId)).blocker).toMatch(/below your minimum/);
    expect((await upcomingPayout(db, small.sellerId)).estimate).toBe(0n);
    await expectInvariants();
  });
});

describe("payout jobs", () => {
  it("a worker drives a run to completion from the job enqueued with its snapshot", async () => {
    const target = await seller(5_100n);
    const run = await createPayoutRun(db, {
      trigger: "manual",
      onlyDue: false,
      actor: null,
      sellerIds: [target.sellerId],
    });
    const worker = await startWorker({ pollingIntervalSeconds: 0.5 });
    try {
      await waitFor(
        async () => (await db.payoutRun.findUniqueOrThrow({ where: { id: run.id } })).status === "COMPLETED",
      );
    } finally {
      await worker.stop();
    }
    expect((await db.payout.findFirstOrThrow({ where: { runId: run.id } })).status).toBe("PAID");
    expect(await available(target.sellerId)).toBe(0n);
    await expectInvariants();
  });
});

describe("payout procedures", () => {
  const sellerOnly = ["mySettings", "updateSettings", "connectAccount", "myPayouts", "upcoming"];

  it("let only their role past the role check, and never answer a missing input with a 500", async () => {
    const users = {
      BUYER: await createUser(db, "BUYER"),
      SELLER: await createUser(db, "SELLER"),
      FINANCE: await createUser(db, "FINANCE"),
    };
    process.env.PAYRAIL_RATE_LIMITS = "off";
    try {
      for (const path of Object.keys(payoutRouter._def.procedures)) {
        for (const role of ["anonymous", "BUYER", "SELLER", "FINANCE"] as const) {
          const headers = new Headers();
          if (role !== "anonymous") {
            headers.set("cookie", `payrail_session=${await sessionFor(db, users[role].user.id)}`);
          }
          const caller = createCallerFactory(payoutRouter)(await createContext({ headers, db }));
          const procedure = (caller as unknown as Record<string, (input: unknown) => Promise<unknown>>)[
            path
          ]!;
          const result = await procedure(undefined).then(
            () => "OK",
            (error: { code?: string }) => error.code ?? "THREW",
          );
          const allowed = sellerOnly.includes(path) ? role === "SELLER" : role === "FINANCE";
          if (allowed)
            expect(
              ["UNAUTHORIZED", "FORBIDDEN", "INTERNAL_SERVER_ERROR", "THREW"],
              `${role} ${path}`,
            ).not.toContain(result);
          else expect(result, `${role} ${path}`).toBe(role === "anonymous" ? "UNAUTHORIZED" : "FORBIDDEN");
        }
      }
    } finally {
      delete process.env.PAYRAIL_RATE_LIMITS;
    }
  });
});
