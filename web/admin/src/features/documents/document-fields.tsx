import { accessLevel, documentCategory } from '@attest/modules/documents/documents.contract.js';
import { Field, SelectField, TextField } from '../../ui/fields.js';
import type { Form } from '../../ui/use-form.js';
import { accessLevelHints, accessLevelLabels, categoryLabels } from './documents-queries.js';

export interface MetadataValues {
  title: string;
  description?: string | undefined;
  category?: (typeof documentCategory.options)[number] | undefined;
  accessLevel?: (typeof accessLevel.options)[number] | undefined;
  expiresOn?: string | null | undefined;
}

const categoryOptions = documentCategory.options.map((value) => ({ value, label: categoryLabels[value] }));
const accessOptions = accessLevel.options.map((value) => ({ value, label: accessLevelLabels[value] }));
const accessHint = accessLevel.options
  .map((value) => `${accessLevelLabels[value]}: ${accessLevelHints[value]}.`)
  .join(' ');

/** Title, description, category, access level and expiry: the same fields to upload and to edit. */
export function DocumentFields<Values extends MetadataValues>({
  form: typed,
  idPrefix,
}: {
  form: Form<Values>;
  idPrefix: string;
}) {
  // The upload form has a file besides these fields; these components only touch the fields below.
  const form = typed as unknown as Form<MetadataValues>;
  const expiresOn = form.values.expiresOn ?? '';
  return (
    <>
      <TextField form={form} name="title" label="Title" required idPrefix={idPrefix} />
      <TextField
        form={form}
        name="description"
        label="Description"
        hint="Shown under the title on the trust center. Blank lines separate paragraphs."
        multiline
        idPrefix={idPrefix}
      />
      <SelectField
        form={form}
        name="category"
        label="Category"
        options={categoryOptions}
        idPrefix={idPrefix}
      />
      <SelectField
        form={form}
        name="accessLevel"
        label="Access"
        options={accessOptions}
        idPrefix={idPrefix}
        hint={`${accessHint} Public and on-request documents appear on the trust center as soon as they are saved (once it has been published).`}
      />
      <Field
        id={`${idPrefix}-expiresOn`}
        path="expiresOn"
        label="Valid until"
        hint="Optional: the last day the document is valid, e.g. a report's period. Visitors see it; the list flags it 30 days ahead."
        error={form.error('expiresOn')}
      >
        {(aria) => (
          <input
            {...aria}
            className="input input-inline"
            name="expiresOn"
            type="date"
            value={expiresOn}
            onChange={(event) => form.set('expiresOn', event.target.value)}
          />
        )}
      </Field>
    </>
  );
}
