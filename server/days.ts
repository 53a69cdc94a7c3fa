// Periods of whole UTC days, as the consoles' date inputs send them ("2026-12-05"); shared by the
// schemas (so the forms can use them: no server imports) and the queries.
import { z } from "zod";

/** A calendar day in UTC, as an HTML date input sends it ("2026-12-05"). */
export const day = z.iso.date("A date like 2026-12-05");

/** The fields of a period of days, both ends optional and inclusive (check with checkDaysInOrder). */
export const dayPeriod = { from: day.optional(), to: day.optional() };

/** Both ends optional and inclusive; `from` after `to` is a mistake worth saying. */
export function checkDaysInOrder(input: { from?: string; to?: string }, context: z.RefinementCtx): void {
  if (input.from && input.to && input.from > input.to)
    context.addIssue({ code: "custom", path: ["to"], message: "The end date is before the start date" });
}

/** The instants [from 00:00, to + 1 day) of two "YYYY-MM-DD" days, inclusive of both days. */
export function dayRange(from?: string, to?: string): { gte?: Date; lt?: Date } | undefined {
  if (!from && !to) return undefined;
  const end = to ? new Date(`${to}T00:00:00Z`) : undefined;
  end?.setUTCDate(end.getUTCDate() + 1);
  return { ...(from ? { gte: new Date(`${from}T00:00:00Z`) } : {}), ...(end ? { lt: end } : {}) };
}
