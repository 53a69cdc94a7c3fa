// A seller's payout settings and connected PSP account; what they will be paid next and when.
import { audit } from "@/server/audit/audit";
import type { Db, DbOrTx } from "@/server/db";
import { env } from "@/server/env";
import { PspUnavailableError } from "./errors";
import { payoutPsp } from "./psp";
import { nextPayoutDate } from "./schedule";
import type { PayoutSettingsInput } from "./schemas";

const defaults = {
  schedule: "MONTHLY" as const,
  dayOfMonth: 1,
  dayOfWeek: 1,
  minimumAmount: 1000n, // $10.00
  reserveAmount: 0n,
  pspAccountId: null as string | null,
};

export async function getPayoutSettings(db: DbOrTx, sellerId: string) {
  const settings = await db.payoutSettings.findUnique({ where: { sellerId } });
  return settings ?? { sellerId, ...defaults, updatedAt: null };
}

export async function updatePayoutSettings(
  db: Db,
  actor: { id: string; email: string },
  sellerId: string,
  input: PayoutSettingsInput,
) {
  return db.$transaction(async (tx) => {
    const before = await tx.payoutSettings.findUnique({ where: { sellerId } });
    const settings = await tx.payoutSettings.upsert({
      where: { sellerId },
      create: { sellerId, ...input },
      update: { ...input, updatedAt: new Date() },
    });
    await audit(tx, {
      actorId: actor.id,
      actorLabel: actor.email,
      action: "payout.settings.update",
      entity: "payout_settings",
      entityId: sellerId,
      before: before && {
        schedule: before.schedule,
        dayOfMonth: before.dayOfMonth,
        dayOfWeek: before.dayOfWeek,
        minimumAmount: before.minimumAmount,
        reserveAmount: before.reserveAmount,
      },
      after: input,
    });
    return settings;
  });
}

/**
 * Creates the seller's connected account at the PSP (once) and stores it. The PSP call happens
 * outside any database transaction; a second call returns the stored account.
 */
export async function connectPayoutAccount(db: Db, actor: { id: string; email: string }, sellerId: string) {
  const existing = await db.payoutSettings.findUnique({ where: { sellerId } });
  if (existing?.pspAccountId) return existing;
  const { accountId } = await payoutPsp()
    .createConnectedAccount({ sellerId, email: actor.email })
    .catch((error: unknown) => {
      throw new PspUnavailableError(error);
    });
  return db.$transaction(async (tx) => {
    const settings = await tx.payoutSettings.upsert({
      where: { sellerId },
      create: { sellerId, pspAccountId: accountId },
      update: { pspAccountId: accountId, updatedAt: new Date() },
    });
    await audit(tx, {
      actorId: actor.id,
      actorLabel: actor.email,
      action: "payout.account.connect",
      entity: "payout_settings",
      entityId: sellerId,
      after: { pspAccountId: accountId },
    });
    return settings;
  });
}

/** The next payout date, what it would be if paid now, and why not when it would not. */
export async function upcomingPayout(db: DbOrTx, sellerId: string, now = new Date()) {
  const settings = await getPayoutSettings(db, sellerId);
  const currency = env().CURRENCY;
  const wallet = await db.wallet.findUnique({ where: { sellerId_currency: { sellerId, currency } } });
  const available = wallet?.available ?? 0n;
  const inFlight = await db.payout.aggregate({
    where: { sellerId, status: { in: ["PENDING", "PROCESSING"] } },
    _sum: { amount: true },
  });
  const payable = available - settings.reserveAmount;
  const minimum = settings.minimumAmount > 0n ? settings.minimumAmount : 1n;
  let blocker: string | null = null;
  if (!settings.pspAccountId) blocker = "Connect a payout account to get paid.";
  else if (payable <= 0n)
    blocker =
      "Nothing to pay out yet: funds become available once your orders have shipped and their hold has passed.";
  else if (payable < minimum)
    blocker =
      "Your available balance (after the reserve) is below your minimum; it carries over to the next payout.";
  return {
    nextDate: nextPayoutDate(settings, now),
    schedule: settings.schedule,
    currency,
    available,
    reserve: settings.reserveAmount,
    minimum: settings.minimumAmount,
    estimate: blocker ? 0n : payable,
    inFlight: inFlight._sum.amount ?? 0n,
    blocker,
  };
}
