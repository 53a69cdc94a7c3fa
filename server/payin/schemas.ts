// Input of the pay-in procedures; shared with the forms (no server imports).
import { z } from "zod";

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

export const paymentSearchInput = z.object({
  status: z.enum(["IN_REVIEW", "BLOCKED", "REJECTED", "EXECUTING", "SUCCEEDED", "FAILED"]).optional(),
  query: plainText(100).optional(),
  cursor: z.string().uuid().optional(),
  limit: z.number().int().min(1).max(100).default(25),
});

export const orderIdInput = z.object({ paymentOrderId: z.string().uuid() });

export const pageInput = z.object({
  cursor: z.string().uuid().optional(),
  limit: z.number().int().min(1).max(100).default(25),
});
