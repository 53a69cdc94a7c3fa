// Payout background jobs. Each is idempotent: it re-reads state; transfers reuse the payout id
// as the PSP idempotency key, so running any of them twice never makes a second transfer.
import { z } from "zod";
import { defineJob } from "@/server/jobs/define-job";

/** Several drivers of one run split the work safely. */
export const driveRunJob = defineJob({
  name: "payout.drive-run",
  description: "Sends a payout run's pending payouts to the PSP, in batches.",
  schema: z.object({ runId: z.string().uuid() }),
  retryLimit: 10,
  concurrency: 2,
  handler: async ({ runId }, { db }) => {
    const { driveRunSlice } = await import("./transfers");
    await driveRunSlice(db, runId);
  },
});

/** The same idempotency key finds the same transfer. */
export const confirmTransferJob = defineJob({
  name: "payout.confirm-transfer",
  description: "Asks the PSP about a payout whose transfer outcome is unknown.",
  schema: z.object({ payoutId: z.string().uuid() }),
  retryLimit: 20,
  retryDelay: 5,
  handler: async ({ payoutId }, { db }) => {
    const { confirmPayout } = await import("./transfers");
    const outcome = await confirmPayout(db, payoutId);
    if (outcome === "unknown") throw new Error(`payout ${payoutId}: PSP outcome still unknown`);
  },
});

/** The daily tick; at most one run per day. */
export const dailyPayoutRunJob = defineJob({
  name: "payout.daily-run",
  description: "Starts a payout run for the sellers whose schedule is due today.",
  schema: z.object({}).passthrough(),
  cron: "0 6 * * *",
  retryLimit: 3,
  handler: async (_data, { db }) => {
    const { createPayoutRun } = await import("./create-run");
    await createPayoutRun(db, { trigger: "schedule", onlyDue: true, actor: null });
  },
});

export const recoverPayoutsJob = defineJob({
  name: "payout.recover",
  description: "Finishes payouts stuck in processing and runs whose driver stopped.",
  schema: z.object({}).passthrough(),
  cron: "* * * * *",
  retryLimit: 0,
  handler: async (_data, { db }) => {
    const { recoverStalePayouts } = await import("./transfers");
    await recoverStalePayouts(db, {
      olderThanMs: Number(process.env.PAYOUT_RECOVER_AFTER_MS ?? 120_000),
    });
  },
});

export const payoutJobs = [driveRunJob, confirmTransferJob, dailyPayoutRunJob, recoverPayoutsJob];
