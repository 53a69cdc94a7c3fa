import { z } from "zod";
import { defineJob } from "@/server/jobs/define-job";
import { refreshBalanceCheckpoints } from "./balances";

export const refreshCheckpointsJob = defineJob({
  name: "ledger.refresh-checkpoints",
  description: "Seals the balances of the busy system accounts, so reading them stays fast.",
  schema: z.object({}).passthrough(),
  cron: "* * * * *",
  retryLimit: 0,
  handler: async (_data, { db }) => {
    await refreshBalanceCheckpoints(db);
  },
});
