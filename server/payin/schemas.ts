// Input of the pay-in procedures; shared with the forms (no server imports).
import { z } from "zod";
import { checkDaysInOrder, dayPeriod } from "@/server/days";

const MAX_MINOR_UNITS = 100_000_000_00n; // $100M: far above any checkout, far below bigint limits

export const idempotencyKey = z.string().uuid("The idempotency key must be a UUID");

/** Free text people type: trimmed, no control characters (PostgreSQL refuses NUL outright). */
export const plainText = (max: number) =>
  z
    .string()
    .trim()
    .max(max)
    .refine(
      // biome-ignore lint/suspicious/noControlCharactersInRegex: refusing them is the point
      (text) => !/[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/.test(text),
      "Remove control characters",
    );

export const checkoutInput = z.object({
  idempotencyKey,
  items: z
    .array(
      z.object({
        productId: z.string().uuid(),
        quantity: z.number().int().min(1, "At least one").max(999, "At most 999"),
      }),
    )
    .min(1, "The cart is empty")
    .max(50, "At most 50 lines per checkout"),
  country: z
    .string()
    .regex(/^[A-Za-z]{2}$/, "A two-letter country code")
    .optional(),
});
export type CheckoutInput = z.infer<typeof checkoutInput>;

export const checkoutIdInput = z.object({ checkoutId: z.string().uuid() });

export const refundInput = z.object({
  paymentOrderId: z.string().uuid(),
  amount: z.bigint().positive("The amount must be positive").max(MAX_MINOR_UNITS, "The amount is too large"),
  reason: plainText(500).pipe(z.string().min(3, "Say why")),
  idempotencyKey,
  /** Re-entered password for refunds above the step-up threshold. */
  password: z.string().max(1024).optional(),
});

export const reviewInput = z.object({
  checkoutId: z.string().uuid(),
  decision: z.enum(["APPROVE", "REJECT"]),
  note: plainText(500).pipe(z.string().min(3, "Add a note for the record")),
});

const minorUnits = z
  .bigint()
  .min(0n, "The amount cannot be negative")
  .max(MAX_MINOR_UNITS, "The amount is too large");

/** The date and amount ranges: both ends optional and inclusive, and in order. */
function rangesInOrder(
  input: { from?: string; to?: string; minAmount?: bigint; maxAmount?: bigint },
  context: z.RefinementCtx,
) {
  checkDaysInOrder(input, context);
  if (input.minAmount !== undefined && input.maxAmount !== undefined && input.minAmount > input.maxAmount)
    context.addIssue({ code: "custom", path: ["maxAmount"], message: "The maximum is below the minimum" });
}

export const paymentSearchInput = z
  .object({
    status: z.enum(["IN_REVIEW", "BLOCKED", "REJECTED", "EXECUTING", "SUCCEEDED", "FAILED"]).optional(),
    /** A checkout or order id (or its first 8+ characters), or a PSP id: cs_, pi_, ch_, re_. */
    query: plainText(100).optional(),
    /** The buyer's email (exact, any case) or user id. */
    buyer: plainText(254).optional(),
    /** The seller's id, or part of its name. */
    seller: plainText(100).optional(),
    minAmount: minorUnits.optional(),
    maxAmount: minorUnits.optional(),
    ...dayPeriod,
    cursor: z.string().uuid().optional(),
    limit: z.number().int().min(1).max(100).default(25),
  })
  .superRefine(rangesInOrder);
export type PaymentSearchInput = z.infer<typeof paymentSearchInput>;

export const sellerOrderSearchInput = z
  .object({
    status: z.enum(["NOT_STARTED", "EXECUTING", "SUCCESS", "FAILED"]).optional(),
    /** An order id, or the first 8+ characters of one (what the table shows). */
    orderId: z
      .string()
      .trim()
      .regex(/^[0-9a-fA-F-]{0,36}$/, "An order id has only 0-9, a-f and dashes")
      .optional(),
    ...dayPeriod,
    cursor: z.string().uuid().optional(),
    limit: z.number().int().min(1).max(100).default(25),
  })
  .superRefine(rangesInOrder);
export type SellerOrderSearchInput = z.infer<typeof sellerOrderSearchInput>;

export const volumeInput = z.object({
  days: z.number().int().min(7, "At least 7 days").max(90, "At most 90 days").default(30),
});

export const orderIdInput = z.object({ paymentOrderId: z.string().uuid() });

export const pageInput = z.object({
  cursor: z.string().uuid().optional(),
  limit: z.number().int().min(1).max(100).default(25),
});
