import { auditRouter } from "@/server/audit/router";
import { authRouter } from "@/server/auth/router";
import { jobsRouter } from "@/server/jobs/router";
import { ledgerRouter } from "@/server/ledger/router";
import { payinRouter } from "@/server/payin/router";
import { payoutRouter } from "@/server/payout/router";
import { reconciliationRouter } from "@/server/reconciliation/router";
import { createCallerFactory, createTRPCRouter } from "@/server/trpc";
import { walletRouter } from "@/server/wallet/router";

export const appRouter = createTRPCRouter({
  audit: auditRouter,
  auth: authRouter,
  jobs: jobsRouter,
  ledger: ledgerRouter,
  payin: payinRouter,
  payout: payoutRouter,
  reconciliation: reconciliationRouter,
  wallet: walletRouter,
});

export type AppRouter = typeof appRouter;

export const createCaller = createCallerFactory(appRouter);
