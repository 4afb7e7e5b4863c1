import { type FormEvent, useCallback, useMemo, useRef, useState } from 'react';
import type { z } from 'zod';
import { ApiError } from '../api/client.js';

export type FieldErrors = Record<string, string>;

function issuesByPath(issues: readonly z.core.$ZodIssue[] | undefined): FieldErrors {
  const errors: FieldErrors = {};
  for (const issue of issues ?? []) {
    const path = issue.path.map(String).join('.');
    errors[path] ??= issue.message;
  }
  return errors;
}

export interface Form<Values> {
  values: Values;
  set<Name extends keyof Values & string>(name: Name, value: Values[Name]): void;
  /** Replaces all values (after loading what is being edited). */
  reset(values: Values): void;
  /** The message to show under a field: the server's, or the schema's once the field was touched. */
  error(path: string): string | undefined;
  /** Problems the schema found that no field on screen shows (so the form is never silently stuck). */
  formError: string | null;
  submitting: boolean;
  formRef: React.RefObject<HTMLFormElement | null>;
  handleSubmit(event: FormEvent<HTMLFormElement>): void;
}

/**
 * Form state validated as you type with the API's own zod schema. The server's answer to a
 * submit is shown the same way: `details[].path` next to its field, the message above the form.
 */
export function useForm<Schema extends z.ZodType>(
  schema: Schema,
  initial: z.input<Schema>,
  onValid: (data: z.output<Schema>) => Promise<unknown>,
): Form<z.input<Schema>> {
  type Values = z.input<Schema>;
  const [values, setValues] = useState<Values>(initial);
  const [touched, setTouched] = useState<ReadonlySet<string>>(new Set());
  const [submitted, setSubmitted] = useState(false);
  const [serverErrors, setServerErrors] = useState<FieldErrors>({});
  const [formError, setFormError] = useState<string | null>(null);
  const [submitting, setSubmitting] = useState(false);
  const formRef = useRef<HTMLFormElement>(null);

  const parsed = useMemo(() => schema.safeParse(values), [schema, values]);
  const clientErrors = useMemo(() => issuesByPath(parsed.error?.issues), [parsed]);

  const set = useCallback(<Name extends keyof Values & string>(name: Name, value: Values[Name]) => {
    setValues((current) => ({ ...(current as object), [name]: value }) as Values);
    setTouched((current) => new Set(current).add(name));
    setServerErrors((current) => {
      const next: FieldErrors = {};
      for (const [path, message] of Object.entries(current)) {
        if (path !== name && !path.startsWith(`${name}.`)) next[path] = message;
      }
      return next;
    });
  }, []);

  const error = (path: string): string | undefined => {
    if (serverErrors[path]) return serverErrors[path];
    const top = path.split('.')[0] ?? path;
    if (submitted || touched.has(path) || touched.has(top)) return clientErrors[path];
    return undefined;
  };

  const focusFirstInvalid = () => {
    requestAnimationFrame(() => {
      formRef.current?.querySelector<HTMLElement>('[aria-invalid="true"]')?.focus();
    });
  };

  const handleSubmit = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    if (submitting) return;
    setSubmitted(true);
    setFormError(null);
    if (!parsed.success) {
      const shown = formRef.current
        ? [...formRef.current.querySelectorAll('[data-path]')].map((node) => node.getAttribute('data-path'))
        : [];
      const hidden = Object.keys(clientErrors).filter((path) => !shown.includes(path));
      if (hidden.length)
        setFormError(hidden.map((path) => `${path || 'form'}: ${clientErrors[path]}`).join('; '));
      focusFirstInvalid();
      return;
    }
    setSubmitting(true);
    onValid(parsed.data)
      .then(() => setServerErrors({}))
      .catch((failure: unknown) => {
        if (failure instanceof ApiError) {
          const details: FieldErrors = {};
          for (const detail of failure.details) details[detail.path] ??= detail.message;
          setServerErrors(details);
          setFormError(failure.message);
        } else {
          setFormError('Something went wrong. Try again.');
        }
        focusFirstInvalid();
      })
      .finally(() => setSubmitting(false));
  };

  return {
    values,
    set,
    reset: (next) => {
      setValues(next);
      setTouched(new Set());
      setSubmitted(false);
      setServerErrors({});
      setFormError(null);
    },
    error,
    formError,
    submitting,
    formRef,
    handleSubmit,
  };
}
