/** What an infinite list query offers the "Load more" control. */
interface PagedQuery {
  hasNextPage: boolean;
  isFetchingNextPage: boolean;
  fetchNextPage: () => unknown;
}

/**
 * Below a paged list: how many of the total are shown, and a button for the next page while there
 * is one (the lists are read from the server a page at a time, newest first).
 */
export function LoadMore({ query, shown, total }: { query: PagedQuery; shown: number; total: number }) {
  if (total <= shown && !query.hasNextPage) return null;
  return (
    <nav className="actions" aria-label="More rows">
      <span className="muted" aria-live="polite">
        Showing {shown} of {total}
      </span>
      {query.hasNextPage && (
        <button
          type="button"
          className="button"
          onClick={() => query.fetchNextPage()}
          disabled={query.isFetchingNextPage}
        >
          {query.isFetchingNextPage ? 'Loading…' : 'Load more'}
        </button>
      )}
    </nav>
  );
}
