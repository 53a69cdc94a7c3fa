// Input of the payout procedures. No server imports: the settings form shares these.
import { z } from "zod";

/** Money in minor units: a bigint between 0 and one trillion ($10bn), never a float. */
export const moneySchema = z.bigint().min(0n, "Must not be negative").max(1_000_000_000_000n, "Too large");

export const payoutScheduleSchema = z.enum(["MONTHLY", "WEEKLY", "DAILY", "MANUAL"]);

export const payoutSettingsInput = z.object({
  schedule: payoutScheduleSchema,
  dayOfMonth: z.number().int().min(1).max(28),
  dayOfWeek: z.number().int().min(0).max(6),
  minimumAmount: moneySchema,
  reserveAmount: moneySchema,
});
export type PayoutSettingsInput = z.infer<typeof payoutSettingsInput>;

export const pageInput = z.object({
  limit: z.number().int().min(1).max(200).default(50),
  /** Opaque cursor: the id of the last row of the previous page. */
  cursor: z.string().uuid().nullish(),
});

export const runIdInput = z.object({ runId: z.string().uuid() });

export const runDetailInput = runIdInput.extend({
  limit: z.number().int().min(1).max(200).default(50),
  offset: z.number().int().min(0).max(10_000_000).default(0),
  status: z.enum(["PENDING", "PROCESSING", "PAID", "FAILED", "CANCELED"]).nullish(),
});

export const createRunInput = z.object({
  /** Only sellers whose schedule is due today (as the daily tick does); otherwise every seller. */
  onlyDue: z.boolean().default(false),
});

export const approveRunInput = runIdInput.extend({ password: z.string().min(1).max(200) });

export const retryPayoutInput = z.object({ payoutId: z.string().uuid() });

export const payoutPolicyInput = z.object({
  requireApproval: z.boolean(),
  approvalThreshold: moneySchema.nullable(),
});
