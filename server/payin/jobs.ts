// Pay-in's background jobs. Each is idempotent: it re-reads state and asks the PSP for the truth.
import { z } from "zod";
import { env } from "@/server/env";
import { defineJob } from "@/server/jobs/define-job";

/** Processes a stored webhook event its endpoint did not finish processing (given by the sweep). */
export const processWebhookJob = defineJob({
  name: "payin.process-webhook",
  schema: z.object({ eventId: z.string().min(1) }),
  handler: async ({ eventId }, { db }) => {
    const { processWebhookEvent } = await import("./webhooks");
    await processWebhookEvent(db, eventId);
  },
});

/** Gives each webhook event left unprocessed a processing job (docs/payin.md, step 4). */
export const sweepWebhooksJob = defineJob({
  name: "payin.sweep-webhooks",
  schema: z.object({}).passthrough(),
  cron: "* * * * *",
  retryLimit: 0,
  handler: async (_data, { db }) => {
    const { sweepUnprocessedWebhooks } = await import("./webhooks");
    await sweepUnprocessedWebhooks(db, env().WEBHOOK_BACKUP_DELAY_SECONDS);
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

export const payinJobs = [
  processWebhookJob,
  sweepWebhooksJob,
  executeRefundJob,
  recoverPaymentsJob,
  releaseHeldOrdersJob,
];
