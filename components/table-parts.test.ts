// Server-rendered to markup: these components have no state, so the HTML is the whole behaviour.
import { createElement } from "react";
import { renderToStaticMarkup } from "react-dom/server";
import { describe, expect, it } from "vitest";
import { LoadMore } from "./load-more";
import { FilteredEmptyRow, SkeletonRows } from "./table-rows";

const html = (element: Parameters<typeof renderToStaticMarkup>[0]) =>
  renderToStaticMarkup(createElement("table", null, createElement("tbody", null, element)));

describe("LoadMore", () => {
  const query = { hasNextPage: true, isFetchingNextPage: false, fetchNextPage: () => undefined };

  it("renders nothing after the last page", () => {
    expect(renderToStaticMarkup(createElement(LoadMore, { query: { ...query, hasNextPage: false } }))).toBe(
      "",
    );
  });

  it("is disabled and says so while the next page loads", () => {
    expect(renderToStaticMarkup(createElement(LoadMore, { query }))).toMatch(
      /^<button[^>]*>Load more<\/button>$/,
    );
    const loading = renderToStaticMarkup(
      createElement(LoadMore, { query: { ...query, isFetchingNextPage: true } }),
    );
    expect(loading).toContain('disabled=""');
    expect(loading).toContain("Loading…");
  });
});

describe("SkeletonRows", () => {
  it("fills rows × columns with placeholders hidden from screen readers", () => {
    const markup = html(createElement(SkeletonRows, { rows: 3, columns: 8 }));
    expect(markup.match(/<tr aria-hidden="true">/g)).toHaveLength(3);
    expect(markup.match(/class="skeleton"/g)).toHaveLength(24);
  });
});

describe("FilteredEmptyRow", () => {
  const props = {
    columns: 6,
    noun: "payments",
    onClearFilters: () => undefined,
    hint: "Checkouts appear here.",
  };

  it("offers to clear the filters when they are the reason", () => {
    const markup = html(createElement(FilteredEmptyRow, { ...props, filtered: true }));
    expect(markup).toMatch(/colspan="6"/i);
    expect(markup).toContain("<strong>No payments match these filters</strong>");
    expect(markup).toContain("Clear filters</button>");
  });

  it("gives the hint when there is simply no data yet", () => {
    const markup = html(createElement(FilteredEmptyRow, { ...props, filtered: false }));
    expect(markup).toContain("<strong>No payments yet</strong>Checkouts appear here.");
    expect(markup).not.toContain("<button");
  });
});
