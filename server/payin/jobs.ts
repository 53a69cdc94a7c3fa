// Pay-in's background jobs. Each is idempotent: it re-reads state, so running it twice changes nothing.
import { z } from "zod";
import { env } from "@/server/env";
import { defineJob } from "@/server/jobs/define-job";

export const processWebhookJob = defineJob({
  name: "payin.process-webhook",
  description: "Processes a PSP event that was stored but not processed on arrival.",
  schema: z.object({ eventId: z.string().min(1) }),
  handler: async ({ eventId }, { db }) => {
    const { processWebhookEvent } = await import("./webhooks");
    await processWebhookEvent(db, eventId);
  },
});

/** docs/payin.md, step 4. */
export const sweepWebhooksJob = defineJob({
  name: "payin.sweep-webhooks",
  description:
    "Gives each PSP event still unprocessed a while after it arrived (WEBHOOK_BACKUP_DELAY_SECONDS) a processing job.",
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
  description: "Sends a requested refund to the PSP.",
  schema: z.object({ refundId: z.string().uuid() }),
  retryLimit: 12,
  handler: async ({ refundId }, { db }) => {
    const { executeRefund } = await import("./refunds");
    await executeRefund(db, refundId);
  },
});

export const recoverPaymentsJob = defineJob({
  name: "payin.recover",
  description: "Asks the PSP about checkouts with no outcome after 30 s, and settles them.",
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
  description: "Moves sellers' funds from pending to available once a shipped order's hold has passed.",
  schema: z.object({}).passthrough(),
  cron: "* * * * *",
  retryLimit: 0,
  handler: async (_data, { db }) => {
    const { releaseHeldOrders } = await import("./release");
    await releaseHeldOrders(db);
  },
});

export const payinJobs = [
  processWebhookJob,
  sweepWebhooksJob,
  executeRefundJob,
  recoverPaymentsJob,
  releaseHeldOrdersJob,
];
