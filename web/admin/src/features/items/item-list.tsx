import { useQuery } from '@tanstack/react-query';
import { Link, useLocation } from 'react-router';
import { ALL, api, type Page } from '../../api/client.js';
import { useCan } from '../../auth/session.js';
import { ListState } from '../../ui/list-state.js';
import { ErrorNotice, Notice } from '../../ui/notice.js';
import { PageHeader } from '../../ui/page-header.js';
import { Announcer, useReorder } from '../../ui/reorder.js';
import { CONTENT_KEY } from '../content-queries.js';

export interface ItemListConfig<Item> {
  /** API collection, e.g. '/faq'; also the console path. */
  url: string;
  title: string;
  description: string;
  noun: string;
  label: (item: Item) => string;
  columns: { heading: string; cell: (item: Item) => React.ReactNode }[];
}

export function itemsKey(url: string) {
  return [...CONTENT_KEY, url];
}

export function useItems<Item>(url: string) {
  return useQuery({ queryKey: itemsKey(url), queryFn: () => api.get<Page<Item>>(url, ALL) });
}

/** A flat, ordered list of content items (FAQ entries, subprocessors): list, reorder, add. */
export function ItemList<Item extends { id: string }>({ config }: { config: ItemListConfig<Item> }) {
  const can = useCan();
  const location = useLocation();
  const items = useItems<Item>(config.url);
  const reorder = useReorder(`${config.url}/order`, CONTENT_KEY);
  const list = items.data?.items ?? [];
  const ids = list.map((item) => item.id);
  const writable = can('content:write');
  const saved = (location.state as { saved?: string } | null)?.saved;
  return (
    <>
      <PageHeader
        title={config.title}
        description={config.description}
        actions={
          writable && (
            <Link className="button button-primary" to={`${config.url}/new`}>
              Add {config.noun}
            </Link>
          )
        }
      />
      {saved && <Notice tone="success">Saved “{saved}” to the draft.</Notice>}
      <Announcer message={reorder.announcement} />
      <ErrorNotice error={reorder.error} />
      {items.isPending && <ListState state="loading" />}
      {items.isError && <ListState state="error" error={items.error} onRetry={() => items.refetch()} />}
      {items.data && list.length === 0 && (
        <ListState state="empty">There are no {config.title.toLowerCase()} yet.</ListState>
      )}
      {list.length > 0 && (
        <div className="table-wrap">
          <table className="table">
            <thead>
              <tr>
                {config.columns.map((column) => (
                  <th scope="col" key={column.heading}>
                    {column.heading}
                  </th>
                ))}
                {writable && (
                  <th scope="col" className="cell-actions">
                    Order
                  </th>
                )}
              </tr>
            </thead>
            <tbody>
              {list.map((item, index) => (
                <tr key={item.id}>
                  {config.columns.map((column, at) => (
                    <td key={column.heading}>
                      {at === 0 ? (
                        <Link to={`${config.url}/${item.id}`}>{column.cell(item)}</Link>
                      ) : (
                        column.cell(item)
                      )}
                    </td>
                  ))}
                  {writable && (
                    <td className="cell-actions">{reorder.buttons(ids, index, config.label(item))}</td>
                  )}
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </>
  );
}
