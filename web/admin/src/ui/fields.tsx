import type { ReactNode } from 'react';
import type { Form } from './use-form.js';

interface AriaProps {
  id: string;
  'aria-invalid': boolean | undefined;
  'aria-describedby': string | undefined;
  'data-path': string;
}

/** Label, hint, control and error text, wired together for assistive technology. */
export function Field({
  id,
  path,
  label,
  hint,
  error,
  required,
  children,
}: {
  id: string;
  path: string;
  label: string;
  hint?: ReactNode;
  error: string | undefined;
  required?: boolean;
  children: (aria: AriaProps) => ReactNode;
}) {
  const hintId = hint ? `${id}-hint` : undefined;
  const errorId = error ? `${id}-error` : undefined;
  const describedBy = [hintId, errorId].filter(Boolean).join(' ') || undefined;
  return (
    <div className="field">
      <label htmlFor={id}>
        {label}
        {required && <span className="muted"> (required)</span>}
      </label>
      {hint && (
        <p className="field-hint" id={hintId}>
          {hint}
        </p>
      )}
      {children({
        id,
        'aria-invalid': error ? true : undefined,
        'aria-describedby': describedBy,
        'data-path': path,
      })}
      {error && (
        <p className="field-error" id={errorId}>
          {error}
        </p>
      )}
    </div>
  );
}

type StringKeys<Values> = {
  [Key in keyof Values]-?: Values[Key] extends string | undefined ? Key : never;
}[keyof Values] &
  string;

interface TextFieldProps<Values> {
  form: Form<Values>;
  name: StringKeys<Values>;
  label: string;
  hint?: ReactNode;
  required?: boolean;
  type?: 'text' | 'email' | 'password' | 'url' | 'search';
  autoComplete?: string;
  multiline?: boolean;
  idPrefix?: string;
  inputMode?: 'text' | 'numeric';
}

export function TextField<Values>({
  form,
  name,
  label,
  hint,
  required,
  type = 'text',
  autoComplete,
  multiline,
  idPrefix = 'field',
  inputMode,
}: TextFieldProps<Values>) {
  const value = (form.values[name] as string | undefined) ?? '';
  const onChange = (next: string) => form.set(name, next as Values[typeof name]);
  return (
    <Field
      id={`${idPrefix}-${name}`}
      path={name}
      label={label}
      hint={hint}
      error={form.error(name)}
      required={required}
    >
      {(aria) =>
        multiline ? (
          <textarea
            {...aria}
            className="textarea"
            name={name}
            value={value}
            onChange={(event) => onChange(event.target.value)}
          />
        ) : (
          <input
            {...aria}
            className="input"
            name={name}
            type={type}
            value={value}
            autoComplete={autoComplete ?? 'off'}
            inputMode={inputMode}
            onChange={(event) => onChange(event.target.value)}
          />
        )
      }
    </Field>
  );
}

/** A number field: the form holds a number, or undefined while the box is empty (the schema says so). */
export function NumberField<Values>({
  form,
  name,
  label,
  hint,
  min,
  max,
  idPrefix = 'field',
}: {
  form: Form<Values>;
  name: keyof Values & string;
  label: string;
  hint?: ReactNode;
  min?: number;
  max?: number;
  idPrefix?: string;
}) {
  const value = form.values[name] as number | undefined;
  return (
    <Field id={`${idPrefix}-${name}`} path={name} label={label} hint={hint} error={form.error(name)} required>
      {(aria) => (
        <input
          {...aria}
          className="input input-inline"
          name={name}
          type="number"
          min={min}
          max={max}
          value={value === undefined || Number.isNaN(value) ? '' : value}
          onChange={(event) =>
            form.set(
              name,
              (event.target.value === '' ? undefined : Number(event.target.value)) as Values[typeof name],
            )
          }
        />
      )}
    </Field>
  );
}

export function SelectField<Values>({
  form,
  name,
  label,
  options,
  hint,
  idPrefix = 'field',
}: {
  form: Form<Values>;
  name: keyof Values & string;
  label: string;
  options: readonly { value: string; label: string }[];
  hint?: ReactNode;
  idPrefix?: string;
}) {
  return (
    <Field id={`${idPrefix}-${name}`} path={name} label={label} hint={hint} error={form.error(name)}>
      {(aria) => (
        <select
          {...aria}
          className="select"
          name={name}
          value={String(form.values[name] ?? '')}
          onChange={(event) => form.set(name, event.target.value as Values[typeof name])}
        >
          {options.map((option) => (
            <option key={option.value} value={option.value}>
              {option.label}
            </option>
          ))}
        </select>
      )}
    </Field>
  );
}

/** Shown above the submit button: the server's message, or problems of fields not on screen. */
export function FormError({ message }: { message: string | null }) {
  if (!message) return null;
  return (
    <div className="notice notice-error" role="alert">
      <p>{message}</p>
    </div>
  );
}

export function SubmitButton({
  form,
  children,
  busyLabel,
}: {
  form: { submitting: boolean };
  children: ReactNode;
  busyLabel?: string;
}) {
  return (
    <button
      type="submit"
      className="button button-primary"
      disabled={form.submitting}
      aria-busy={form.submitting || undefined}
    >
      {form.submitting ? (
        <>
          <span className="spinner" aria-hidden="true" /> {busyLabel ?? 'Saving…'}
        </>
      ) : (
        children
      )}
    </button>
  );
}
