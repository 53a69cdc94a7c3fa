import { z } from "zod";
import { defineJob } from "@/server/jobs/define-job";

export const reconcileRunJob = defineJob({
  name: "reconciliation.run",
  description: "Runs a reconciliation that finance started.",
  schema: z.object({ runId: z.string().uuid() }),
  retryLimit: 3,
  handler: async ({ runId }, { db }) => {
    const [{ executeRun }, { getPsp }] = await Promise.all([
      import("./run"),
      import("@/server/psp/instance"),
    ]);
    await executeRun(db, getPsp(), runId);
  },
});

export const nightlyReconciliationJob = defineJob({
  name: "reconciliation.nightly",
  description: "Reconciles yesterday (UTC) against the PSP.",
  schema: z.object({}).passthrough(),
  cron: "30 2 * * *",
  retryLimit: 2,
  handler: async (_data, { db }) => {
    const { startRun } = await import("./run");
    const end = new Date();
    end.setUTCHours(0, 0, 0, 0);
    await startRun(db, { start: new Date(end.getTime() - 86_400_000), end }, null);
  },
});

export const reconciliationJobs = [reconcileRunJob, nightlyReconciliationJob];
