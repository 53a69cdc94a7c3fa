import { createElement } from "react";
import { renderToStaticMarkup } from "react-dom/server";
import { expect, it } from "vitest";
import { StatusBadge } from "./status-badge";

const badge = (status: string, plain = false) =>
  renderToStaticMarkup(createElement(StatusBadge, { status, plain }));

it("names a status in words, in sentence case, with its tone", () => {
  expect(badge("SUCCEEDED")).toBe('<span class="badge good">Paid</span>');
  expect(badge("SUCCEEDED", true)).toBe('<span class="badge good">Succeeded</span>');
  expect(badge("MISSING_IN_LEDGER")).toBe('<span class="badge bad">Missing in ledger</span>');
  expect(badge("NOT_STARTED")).toBe('<span class="badge">Not started</span>');
  expect(badge("MISSING_AT_PSP")).toBe('<span class="badge bad">Missing at PSP</span>');
  expect(badge("PROCESSING")).toBe('<span class="badge warn">Processing</span>');
  expect(badge("SHIPPED")).toBe('<span class="badge good">Shipped</span>');
});
