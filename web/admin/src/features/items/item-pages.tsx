import { faqInput, subprocessorInput } from '@attest/modules/content/content.contract.js';
import type { FaqEntry, Subprocessor } from '../../api/types.js';
import { ItemEdit, type ItemEditConfig } from './item-edit.js';
import { ItemList, type ItemListConfig } from './item-list.js';

const faqList: ItemListConfig<FaqEntry> = {
  url: '/faq',
  title: 'FAQ',
  description: 'Questions security reviewers ask, answered once for everyone.',
  noun: 'question',
  label: (entry) => entry.question,
  columns: [
    { heading: 'Question', cell: (entry) => entry.question },
    {
      heading: 'Answer',
      cell: (entry) => (entry.answer.length > 120 ? `${entry.answer.slice(0, 120)}…` : entry.answer),
    },
  ],
};

const faqEdit: ItemEditConfig<typeof faqInput> = {
  url: '/faq',
  noun: 'question',
  schema: faqInput,
  titleField: 'question',
  empty: { key: '', question: '', answer: '' },
  fields: [
    { name: 'question', label: 'Question', required: true },
    {
      name: 'answer',
      label: 'Answer',
      multiline: true,
      required: true,
      hint: 'Blank lines separate paragraphs.',
    },
  ],
};

const subprocessorList: ItemListConfig<Subprocessor> = {
  url: '/subprocessors',
  title: 'Subprocessors',
  description: 'Third parties that process customer data on your behalf.',
  noun: 'subprocessor',
  label: (entry) => entry.name,
  columns: [
    { heading: 'Name', cell: (entry) => entry.name },
    { heading: 'Purpose', cell: (entry) => entry.purpose || '—' },
    { heading: 'Location', cell: (entry) => entry.location || '—' },
  ],
};

const subprocessorEdit: ItemEditConfig<typeof subprocessorInput> = {
  url: '/subprocessors',
  noun: 'subprocessor',
  schema: subprocessorInput,
  titleField: 'name',
  empty: {
    key: '',
    name: '',
    legalEntity: '',
    purpose: '',
    dataProcessed: '',
    location: '',
    transferSafeguards: '',
    website: null,
  },
  fields: [
    { name: 'name', label: 'Name', required: true },
    { name: 'legalEntity', label: 'Legal entity' },
    { name: 'purpose', label: 'Purpose', multiline: true },
    { name: 'dataProcessed', label: 'Data processed', multiline: true },
    { name: 'location', label: 'Location', hint: 'Where the data is processed, e.g. Germany (EU).' },
    {
      name: 'transferSafeguards',
      label: 'Transfer safeguards',
      multiline: true,
      hint: 'For transfers outside the EEA, e.g. SCCs.',
    },
    { name: 'website', label: 'Website', type: 'url', nullable: true, hint: 'An http(s) address.' },
  ],
};

export const FaqPage = () => <ItemList config={faqList} />;
export const FaqEditPage = () => <ItemEdit config={faqEdit} />;
export const SubprocessorsPage = () => <ItemList config={subprocessorList} />;
export const SubprocessorEditPage = () => <ItemEdit config={subprocessorEdit} />;
