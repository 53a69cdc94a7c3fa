// Stripe's error envelope: { error: { type, message, code?, decline_code?, param? } }.
export class StripeError extends Error {
  constructor(
    readonly status: number,
    readonly type: string,
    message: string,
    readonly extra: { code?: string; decline_code?: string; param?: string; payment_intent?: unknown } = {},
  ) {
    super(message);
  }

  body() {
    return { error: { type: this.type, message: this.message, ...this.extra } };
  }
}

export const invalid = (message: string, param?: string, code = "parameter_invalid") =>
  new StripeError(400, "invalid_request_error", message, { code, ...(param ? { param } : {}) });

export const missing = (param: string) =>
  new StripeError(400, "invalid_request_error", `Missing required param: ${param}.`, {
    code: "parameter_missing",
    param,
  });

export const noSuch = (kind: string, id: string, param = "id") =>
  new StripeError(404, "invalid_request_error", `No such ${kind}: '${id}'`, {
    code: "resource_missing",
    param,
  });
