// Input of the wallet procedures and of the statement's CSV export.
import { z } from "zod";
import { checkDaysInOrder, dayPeriod } from "@/server/days";
import { MAX_PAGE_SIZE } from "@/server/ledger/queries";

/** One balance over whole UTC days, both ends optional and inclusive (none: all its history). */
const balanceAndPeriod = {
  bucket: z.enum(["pending", "available"]).default("available"),
  ...dayPeriod,
};

export const statementPeriodInput = z.object(balanceAndPeriod).superRefine(checkDaysInOrder);

export const statementPageInput = z
  .object({
    ...balanceAndPeriod,
    cursor: z.coerce.bigint().positive().max(9_223_372_036_854_775_807n, "Out of range").optional(),
    limit: z.number().int().min(1).max(MAX_PAGE_SIZE).default(50),
  })
  .superRefine(checkDaysInOrder);
