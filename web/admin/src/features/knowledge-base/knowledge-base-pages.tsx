import { knowledgeEntryInput } from '@attest/modules/knowledge-base/knowledge-base.contract.js';
import { Link, useLocation } from 'react-router';
import type { KnowledgeEntry } from '../../api/types.js';
import { useCan } from '../../auth/session.js';
import { ListState } from '../../ui/list-state.js';
import { Notice } from '../../ui/notice.js';
import { PageHeader } from '../../ui/page-header.js';
import { ItemEdit, type ItemEditConfig } from '../items/item-edit.js';
import { useItems } from '../items/item-list.js';

const visibilityLabels: Record<KnowledgeEntry['visibility'], string> = {
  public: 'Public',
  nda: 'Under NDA',
  internal: 'Internal',
};

const shortAnswerLabels: Record<NonNullable<KnowledgeEntry['shortAnswer']>, string> = {
  yes: 'Yes',
  no: 'No',
  not_applicable: 'Not applicable',
};

/** The knowledge base: the answers questionnaires are answered from, by key. */
export function KnowledgeBasePage() {
  const can = useCan();
  const location = useLocation();
  const items = useItems<KnowledgeEntry>('/knowledge-base');
  const list = items.data?.items ?? [];
  const saved = (location.state as { saved?: string } | null)?.saved;
  return (
    <>
      <PageHeader
        title="Knowledge base"
        description="Answers to security questionnaires. Proposals cite these entries word for word, with the published controls and FAQ."
        actions={
          can('content:write') && (
            <Link className="button button-primary" to="/knowledge-base/new">
              Add entry
            </Link>
          )
        }
      />
      {saved && <Notice tone="success">Saved “{saved}”.</Notice>}
      {items.isPending && <ListState state="loading" />}
      {items.isError && <ListState state="error" error={items.error} onRetry={() => items.refetch()} />}
      {items.data && list.length === 0 && <ListState state="empty">There are no entries yet.</ListState>}
      {list.length > 0 && (
        <div className="table-wrap">
          <table className="table">
            <thead>
              <tr>
                <th scope="col">Question</th>
                <th scope="col">Short answer</th>
                <th scope="col">Visible to</th>
                <th scope="col">Last reviewed</th>
              </tr>
            </thead>
            <tbody>
              {list.map((entry) => (
                <tr key={entry.id}>
                  <td>
                    <Link to={`/knowledge-base/${entry.id}`}>{entry.question}</Link>
                  </td>
                  <td>{entry.shortAnswer ? shortAnswerLabels[entry.shortAnswer] : '—'}</td>
                  <td>{visibilityLabels[entry.visibility]}</td>
                  <td>{entry.lastReviewedOn ?? '—'}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {items.data && items.data.total > list.length && (
        <Notice tone="info">
          Showing the first {list.length} of {items.data.total} entries.
        </Notice>
      )}
    </>
  );
}

const entryEdit: ItemEditConfig<typeof knowledgeEntryInput> = {
  url: '/knowledge-base',
  noun: 'entry',
  schema: knowledgeEntryInput,
  titleField: 'question',
  empty: {
    key: '',
    question: '',
    answer: '',
    shortAnswer: null,
    owner: '',
    lastReviewedOn: null,
    reviewIntervalDays: 365,
    references: [],
    visibility: 'internal',
  },
  fields: [
    { name: 'question', label: 'Question', required: true },
    { name: 'answer', label: 'Answer', multiline: true, required: true, hint: 'Proposed word for word.' },
    {
      name: 'shortAnswer',
      label: 'Short answer',
      nullable: true,
      options: [
        { value: '', label: 'None' },
        ...Object.entries(shortAnswerLabels).map(([value, label]) => ({ value, label })),
      ],
    },
    {
      name: 'visibility',
      label: 'Visible to',
      options: Object.entries(visibilityLabels).map(([value, label]) => ({ value, label })),
      hint: 'Internal entries are proposed to your team only; NDA entries only to reviewers with access.',
    },
    { name: 'owner', label: 'Owner', hint: 'Who keeps this answer true, e.g. a team.' },
    { name: 'lastReviewedOn', label: 'Last reviewed', type: 'date', nullable: true },
  ],
};

export const KnowledgeEntryEditPage = () => <ItemEdit config={entryEdit} />;
