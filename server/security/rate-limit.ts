// Rate limits on login, checkout, refunds and payout actions, with rate-limiter-flexible.
// Limits are per process (memory); behind several web processes they are per instance, which
// still bounds guessing. PAYRAIL_RATE_LIMITS=off disables them for load tests.
import { TRPCError } from "@trpc/server";
import { RateLimiterMemory, RateLimiterRes } from "rate-limiter-flexible";

const limits = {
  login: { points: 10, duration: 15 * 60 },
  checkout: { points: 30, duration: 60 },
  refund: { points: 20, duration: 60 },
  payout: { points: 20, duration: 60 },
} as const;

export type RateLimitName = keyof typeof limits;

const limiters = new Map<RateLimitName, RateLimiterMemory>();

function limiter(name: RateLimitName): RateLimiterMemory {
  let found = limiters.get(name);
  if (!found) {
    found = new RateLimiterMemory({ keyPrefix: name, ...limits[name] });
    limiters.set(name, found);
  }
  return found;
}

/** Consumes one point; over the limit it throws TOO_MANY_REQUESTS and sets Retry-After. */
export async function enforceRateLimit(
  name: RateLimitName,
  key: string,
  resHeaders: Headers | null,
): Promise<void> {
  if (process.env.PAYRAIL_RATE_LIMITS === "off") return;
  try {
    await limiter(name).consume(key);
  } catch (error) {
    if (!(error instanceof RateLimiterRes)) throw error;
    const seconds = Math.max(1, Math.ceil(error.msBeforeNext / 1000));
    resHeaders?.set("Retry-After", String(seconds));
    throw new TRPCError({
      code: "TOO_MANY_REQUESTS",
      message: `Too many attempts; try again in ${seconds} s`,
    });
  }
}

/** Test hook: forget all counters. */
export function resetRateLimits(): void {
  limiters.clear();
}
