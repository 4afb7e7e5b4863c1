import { Link, useLocation } from 'react-router';
import { useCan } from '../../auth/session.js';
import { Badge, formatDateTime } from '../../ui/badges.js';
import { ListState } from '../../ui/list-state.js';
import { Notice } from '../../ui/notice.js';
import { PageHeader } from '../../ui/page-header.js';
import { LoadMore } from './load-more.js';
import { kindLabels, rowsOf, usePostPages } from './updates-queries.js';

/** The updates feed: drafts and published posts, newest first. */
export function UpdatesPage() {
  const can = useCan();
  const location = useLocation();
  const posts = usePostPages();
  const flash = (location.state as { flash?: string } | null)?.flash;
  const list = rowsOf(posts.data);
  const total = posts.data?.pages[0]?.total ?? 0;
  return (
    <>
      <PageHeader
        title="Updates"
        description="Posts of the public updates feed (web page, RSS, Atom and JSON). Publishing one notifies its subscribers by e-mail."
        actions={
          can('updates:write') && (
            <Link className="button button-primary" to="/updates/new">
              Write an update
            </Link>
          )
        }
      />
      {flash && <Notice tone="success">{flash}</Notice>}
      {posts.isPending && <ListState state="loading" label="Loading updates…" />}
      {posts.isError && <ListState state="error" error={posts.error} onRetry={() => posts.refetch()} />}
      {posts.data && list.length === 0 && (
        <ListState state="empty">
          No updates yet. Published posts appear on the public updates page.
        </ListState>
      )}
      {list.length > 0 && (
        <div className="table-wrap">
          <table className="table">
            <caption className="visually-hidden">Update posts, newest first</caption>
            <thead>
              <tr>
                <th scope="col">Title</th>
                <th scope="col">Kind</th>
                <th scope="col">State</th>
                <th scope="col">Published</th>
                <th scope="col">Last changed</th>
              </tr>
            </thead>
            <tbody>
              {list.map((post) => (
                <tr key={post.id}>
                  <td>
                    <Link to={`/updates/${post.id}`}>{post.title}</Link>
                  </td>
                  <td>{kindLabels[post.kind]}</td>
                  <td>
                    {post.publishedAt ? (
                      <Badge tone="success">Published</Badge>
                    ) : (
                      <Badge tone="neutral">Draft</Badge>
                    )}
                  </td>
                  <td>{formatDateTime(post.publishedAt)}</td>
                  <td>{formatDateTime(post.updatedAt)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {list.length > 0 && <LoadMore query={posts} shown={list.length} total={total} />}
    </>
  );
}
