import { controlStatuses } from '@attest/modules/content/content.contract.js';
import { useDeferredValue } from 'react';
import { Link, useLocation, useSearchParams } from 'react-router';
import type { Category, Control } from '../../api/types.js';
import { useCan } from '../../auth/session.js';
import { Badge, formatDate, StatusBadge, statusLabels } from '../../ui/badges.js';
import { ListState } from '../../ui/list-state.js';
import { ErrorNotice, Notice } from '../../ui/notice.js';
import { PageHeader } from '../../ui/page-header.js';
import { Announcer, useReorder } from '../../ui/reorder.js';
import { CONTENT_KEY, nextReviewDue, useCategories, useControls } from '../content-queries.js';
import { EvidenceCoverageCard } from './evidence-coverage-card.js';

/** Controls by category, filtered by category, status and text; reordered within their category. */
export function ControlsPage() {
  const can = useCan();
  const location = useLocation();
  const [params, setParams] = useSearchParams();
  const categoryId = params.get('category') ?? '';
  const status = params.get('status') ?? '';
  const q = params.get('q') ?? '';
  const deferredQ = useDeferredValue(q);
  const categories = useCategories();
  const controls = useControls({
    categoryId: categoryId || undefined,
    status: status || undefined,
    q: deferredQ.trim() || undefined,
  });
  const filtered = Boolean(status || q);
  const saved = (location.state as { saved?: string } | null)?.saved;

  const setParam = (name: string, value: string) => {
    const next = new URLSearchParams(params);
    if (value) next.set(name, value);
    else next.delete(name);
    setParams(next, { replace: true });
  };

  const shownCategories = (categories.data?.items ?? []).filter(
    (category) => !categoryId || category.id === categoryId,
  );

  return (
    <>
      <PageHeader
        title="Controls"
        description="The security measures of the trust center, by category."
        actions={
          can('content:write') && (
            <Link
              className="button button-primary"
              to={`/controls/new${categoryId ? `?category=${categoryId}` : ''}`}
            >
              Add control
            </Link>
          )
        }
      />
      {saved && <Notice tone="success">Saved “{saved}” to the draft.</Notice>}
      <search aria-label="Filter controls">
        <form className="toolbar" onSubmit={(event) => event.preventDefault()}>
          <div className="field">
            <label htmlFor="filter-category">Category</label>
            <select
              id="filter-category"
              className="select"
              value={categoryId}
              onChange={(event) => setParam('category', event.target.value)}
            >
              <option value="">All categories</option>
              {categories.data?.items.map((category) => (
                <option key={category.id} value={category.id}>
                  {category.name}
                </option>
              ))}
            </select>
          </div>
          <div className="field">
            <label htmlFor="filter-status">Status</label>
            <select
              id="filter-status"
              className="select"
              value={status}
              onChange={(event) => setParam('status', event.target.value)}
            >
              <option value="">Any status</option>
              {controlStatuses.map((value) => (
                <option key={value} value={value}>
                  {statusLabels[value]}
                </option>
              ))}
            </select>
          </div>
          <div className="field">
            <label htmlFor="filter-q">Search</label>
            <input
              id="filter-q"
              className="input"
              type="search"
              value={q}
              placeholder="Title or description"
              onChange={(event) => setParam('q', event.target.value)}
            />
          </div>
        </form>
      </search>
      <EvidenceCoverageCard />
      {(categories.isPending || controls.isPending) && (
        <ListState state="loading" label="Loading controls…" />
      )}
      {categories.isError && (
        <ListState state="error" error={categories.error} onRetry={() => categories.refetch()} />
      )}
      {controls.isError && (
        <ListState state="error" error={controls.error} onRetry={() => controls.refetch()} />
      )}
      {categories.data && categories.data.items.length === 0 && (
        <ListState state="empty">
          There are no categories yet. {can('content:write') && <Link to="/categories">Add a category</Link>}{' '}
          to hold controls.
        </ListState>
      )}
      {categories.data &&
        controls.data &&
        controls.data.items.length === 0 &&
        categories.data.items.length > 0 && (
          <ListState state="empty">
            {filtered || categoryId ? 'No control matches these filters.' : 'There are no controls yet.'}
          </ListState>
        )}
      {categories.data && controls.data && controls.data.items.length > 0 && (
        <div className="stack-lg">
          {shownCategories.map((category) => (
            <CategoryControls
              key={category.id}
              category={category}
              controls={controls.data.items.filter((control) => control.categoryId === category.id)}
              reorderable={can('content:write') && !filtered}
            />
          ))}
        </div>
      )}
    </>
  );
}

function CategoryControls({
  category,
  controls,
  reorderable,
}: {
  category: Category;
  controls: Control[];
  reorderable: boolean;
}) {
  const reorder = useReorder(`/categories/${category.id}/controls/order`, CONTENT_KEY);
  if (controls.length === 0) return null;
  const ids = controls.map((control) => control.id);
  return (
    <section aria-label={category.name}>
      <Announcer message={reorder.announcement} />
      <ErrorNotice error={reorder.error} />
      <div className="table-wrap">
        <table className="table">
          <caption>{category.name}</caption>
          <thead>
            <tr>
              <th scope="col">Control</th>
              <th scope="col">Status</th>
              <th scope="col">Last review</th>
              <th scope="col">Next review</th>
              <th scope="col">Frameworks</th>
              {reorderable && (
                <th scope="col" className="cell-actions">
                  Order
                </th>
              )}
            </tr>
          </thead>
          <tbody>
            {controls.map((control, index) => (
              <tr key={control.id}>
                <td>
                  <Link to={`/controls/${control.id}`}>{control.title}</Link>
                </td>
                <td>
                  <StatusBadge status={control.status} />
                  {control.status === 'implemented' &&
                    !control.evidence.length &&
                    !control.documents.length &&
                    !control.artifacts.length &&
                    !control.attestation && (
                      <>
                        {' '}
                        <Badge tone="danger">No evidence</Badge>
                      </>
                    )}
                </td>
                <td>{formatDate(control.lastReviewedOn)}</td>
                <td>{control.lastReviewedOn ? formatDate(nextReviewDue(control)) : 'Never reviewed'}</td>
                <td>
                  {control.frameworks.map((ref) => `${ref.framework} ${ref.reference}`).join(', ') || '—'}
                </td>
                {reorderable && (
                  <td className="cell-actions">{reorder.buttons(ids, index, control.title)}</td>
                )}
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </section>
  );
}
