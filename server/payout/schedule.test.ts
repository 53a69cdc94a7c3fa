import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { isDueOn, nextPayoutDate } from "./schedule";

describe("payout schedule", () => {
  it("finds the next monthly date, this month or the next", () => {
    const settings = { schedule: "MONTHLY" as const, dayOfMonth: 1, dayOfWeek: 1 };
    expect(nextPayoutDate(settings, new Date("2026-12-05T10:00:00Z"))?.toISOString()).toBe(
      "2027-01-01T06:00:00.000Z",
    );
    expect(nextPayoutDate(settings, new Date("2026-12-01T05:59:00Z"))?.toISOString()).toBe(
      "2026-12-01T06:00:00.000Z",
    );
  });

  it("finds the next weekly date and never pays MANUAL", () => {
    // 2026-12-05 is a Saturday; Monday is day 1.
    const weekly = { schedule: "WEEKLY" as const, dayOfMonth: 1, dayOfWeek: 1 };
    expect(nextPayoutDate(weekly, new Date("2026-12-05T10:00:00Z"))?.toISOString()).toBe(
      "2026-12-07T06:00:00.000Z",
    );
    expect(nextPayoutDate({ ...weekly, schedule: "MANUAL" }, new Date())).toBeNull();
  });

  it("always lands on a due day within a month or two, after now", () => {
    fc.assert(
      fc.property(
        fc.constantFrom("MONTHLY", "WEEKLY", "DAILY") as fc.Arbitrary<"MONTHLY" | "WEEKLY" | "DAILY">,
        fc.integer({ min: 1, max: 28 }),
        fc.integer({ min: 0, max: 6 }),
        fc.date({ min: new Date("2020-01-01"), max: new Date("2040-01-01"), noInvalidDate: true }),
        (schedule, dayOfMonth, dayOfWeek, now) => {
          const settings = { schedule, dayOfMonth, dayOfWeek };
          const next = nextPayoutDate(settings, now)!;
          expect(next.getTime()).toBeGreaterThan(now.getTime());
          expect(next.getTime() - now.getTime()).toBeLessThanOrEqual(32 * 86_400_000);
          expect(isDueOn(settings, next)).toBe(true);
        },
      ),
    );
  });
});
