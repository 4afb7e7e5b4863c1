import { Field } from '../../ui/fields.js';
import type { Form } from '../../ui/use-form.js';
import { toInstant, toLocalInput } from './updates-queries.js';

type InstantKeys<Values> = {
  [Key in keyof Values]-?: Values[Key] extends string | null | undefined ? Key : never;
}[keyof Values] &
  string;

/**
 * A moment in the browser's time zone (datetime-local) held in the form as an ISO instant, as
 * the API wants it. Optional fields hold null when empty; "Now" fills in the current minute.
 */
export function DateTimeField<Values>({
  form,
  name,
  label,
  hint,
  required,
  nowLabel,
  idPrefix = 'field',
}: {
  form: Form<Values>;
  name: InstantKeys<Values>;
  label: string;
  hint?: string;
  required?: boolean;
  nowLabel: string;
  idPrefix?: string;
}) {
  const value = form.values[name] as string | null | undefined;
  const set = (next: string | null) => form.set(name, next as Values[typeof name]);
  return (
    <Field
      id={`${idPrefix}-${name}`}
      path={name}
      label={label}
      hint={hint}
      error={form.error(name)}
      required={required}
    >
      {(aria) => (
        <div className="row">
          <input
            {...aria}
            className="input input-inline"
            type="datetime-local"
            name={name}
            value={toLocalInput(value)}
            onChange={(event) => {
              const instant = toInstant(event.target.value);
              set(instant === '' && !required ? null : instant);
            }}
          />
          <button type="button" className="button button-small" onClick={() => set(new Date().toISOString())}>
            {nowLabel}
          </button>
          {!required && value && (
            <button type="button" className="button button-small" onClick={() => set(null)}>
              Clear
              <span className="visually-hidden"> {label.toLowerCase()}</span>
            </button>
          )}
        </div>
      )}
    </Field>
  );
}
