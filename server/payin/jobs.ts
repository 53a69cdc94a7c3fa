// Pay-in's background jobs. Each is idempotent: it re-reads state and asks the PSP for the truth.
import { z } from "zod";
import { defineJob } from "@/server/jobs/define-job";

export const processWebhookJob = defineJob({
  name: "payin.process-webhook",
  schema: z.object({ eventId: z.string().min(1) }),
  // One per stored event, most already processed on receipt: claimed many at a time.
  batchSize: 32,
  handler: async ({ eventId }, { db }) => {
    const { processWebhookEvent } = await import("./webhooks");
    await processWebhookEvent(db, eventId);
  },
});

export const executeRefundJob = defineJob({
  name: "payin.execute-refund",
  schema: z.object({ refundId: z.string().uuid() }),
  retryLimit: 12,
  handler: async ({ refundId }, { db }) => {
    const { executeRefund } = await import("./refunds");
    await executeRefund(db, refundId);
  },
});

/** Finds checkouts whose outcome we have not heard about and asks the PSP. */
export const recoverPaymentsJob = defineJob({
  name: "payin.recover",
  schema: z.object({}).passthrough(),
  cron: "* * * * *",
  retryLimit: 0,
  handler: async (_data, { db }) => {
    const { recoverStalePayments } = await import("./recover");
    await recoverStalePayments(db);
  },
});

export const releaseHeldOrdersJob = defineJob({
  name: "payin.release-held",
  schema: z.object({}).passthrough(),
  cron: "*/10 * * * *",
  retryLimit: 0,
  handler: async (_data, { db }) => {
    const { releaseHeldOrders } = await import("./release");
    await releaseHeldOrders(db, Number(process.env.PAYIN_HOLD_DAYS ?? 7));
  },
});

export const payinJobs = [processWebhookJob, executeRefundJob, recoverPaymentsJob, releaseHeldOrdersJob];
