// Payouts over tRPC: thin procedures over the services. Sellers only ever see their own seller
// id from the session; finance sees and drives runs.

import { enforceRateLimit } from "@/server/security/rate-limit";
import { createTRPCRouter, financeProcedure, sellerProcedure } from "@/server/trpc";
import { createPayoutRun, getPayoutPolicy } from "./create-run";
import { approveRun, cancelRun, retryPayout, updatePayoutPolicy } from "./manage-run";
import { getRunDetail, listRuns, listSellerPayouts } from "./queries";
import {
  approveRunInput,
  createRunInput,
  pageInput,
  payoutPolicyInput,
  payoutSettingsInput,
  retryPayoutInput,
  runDetailInput,
  runIdInput,
} from "./schemas";
import { connectPayoutAccount, getPayoutSettings, upcomingPayout, updatePayoutSettings } from "./settings";

const actorOf = (user: { id: string; email: string }) => ({ id: user.id, email: user.email });

export const payoutRouter = createTRPCRouter({
  // ── seller ──
  mySettings: sellerProcedure.query(({ ctx }) => getPayoutSettings(ctx.db, ctx.sellerId)),
  updateSettings: sellerProcedure
    .input(payoutSettingsInput)
    .mutation(({ ctx, input }) => updatePayoutSettings(ctx.db, actorOf(ctx.user), ctx.sellerId, input)),
  connectAccount: sellerProcedure.mutation(async ({ ctx }) => {
    await enforceRateLimit("payout", `connect:${ctx.user.id}`, ctx.resHeaders);
    return connectPayoutAccount(ctx.db, actorOf(ctx.user), ctx.sellerId);
  }),
  myPayouts: sellerProcedure
    .input(pageInput)
    .query(({ ctx, input }) => listSellerPayouts(ctx.db, ctx.sellerId, input)),
  upcoming: sellerProcedure.query(({ ctx }) => upcomingPayout(ctx.db, ctx.sellerId)),

  // ── finance ──
  listRuns: financeProcedure.input(pageInput).query(({ ctx, input }) => listRuns(ctx.db, input)),
  runDetail: financeProcedure.input(runDetailInput).query(({ ctx, input }) => getRunDetail(ctx.db, input)),
  createRun: financeProcedure.input(createRunInput).mutation(async ({ ctx, input }) => {
    await enforceRateLimit("payout", `run:${ctx.user.id}`, ctx.resHeaders);
    return createPayoutRun(ctx.db, { trigger: "manual", onlyDue: input.onlyDue, actor: actorOf(ctx.user) });
  }),
  approveRun: financeProcedure.input(approveRunInput).mutation(async ({ ctx, input }) => {
    await enforceRateLimit("payout", `approve:${ctx.user.id}`, ctx.resHeaders);
    return approveRun(ctx.db, actorOf(ctx.user), input.runId, input.password);
  }),
  cancelRun: financeProcedure
    .input(runIdInput)
    .mutation(({ ctx, input }) => cancelRun(ctx.db, actorOf(ctx.user), input.runId)),
  retryPayout: financeProcedure.input(retryPayoutInput).mutation(async ({ ctx, input }) => {
    await enforceRateLimit("payout", `retry:${ctx.user.id}`, ctx.resHeaders);
    return retryPayout(ctx.db, actorOf(ctx.user), input.payoutId);
  }),
  policy: financeProcedure.query(({ ctx }) => getPayoutPolicy(ctx.db)),
  updatePolicy: financeProcedure
    .input(payoutPolicyInput)
    .mutation(({ ctx, input }) => updatePayoutPolicy(ctx.db, actorOf(ctx.user), input)),
});
