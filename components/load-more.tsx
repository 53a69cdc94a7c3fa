/** The parts of a `useInfiniteQuery` result that paging needs; the whole result fits. */
interface Pages {
  hasNextPage: boolean;
  isFetchingNextPage: boolean;
  fetchNextPage: () => unknown;
}

/**
 * The button under a paged table. Nothing once the last page is in; disabled while a page loads,
 * so a second click cannot fetch the same page twice.
 */
export function LoadMore({ query }: { query: Pages }) {
  if (!query.hasNextPage) return null;
  return (
    <button
      type="button"
      className="secondary load-more"
      disabled={query.isFetchingNextPage}
      onClick={() => query.fetchNextPage()}
    >
      {query.isFetchingNextPage ? "Loading…" : "Load more"}
    </button>
  );
}
