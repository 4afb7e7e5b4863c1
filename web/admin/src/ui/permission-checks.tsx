import { type Permission, permissions } from '@attest/platform/auth/context.js';

/** One checkbox per permission; only those the person holds can be granted (the API enforces it too). */
export function PermissionChecks({
  legend,
  available,
  value,
  onChange,
  error,
  idPrefix,
}: {
  legend: string;
  available: readonly Permission[];
  value: readonly Permission[];
  onChange: (next: Permission[]) => void;
  error: string | undefined;
  idPrefix: string;
}) {
  const errorId = `${idPrefix}-error`;
  return (
    <fieldset aria-describedby={error ? errorId : undefined} data-path="permissions">
      <legend>{legend}</legend>
      <div className="checks">
        {permissions
          .filter((permission) => available.includes(permission))
          .map((permission) => {
            const id = `${idPrefix}-${permission.replace(':', '-')}`;
            return (
              <label className="check" key={permission} htmlFor={id}>
                <input
                  id={id}
                  type="checkbox"
                  checked={value.includes(permission)}
                  onChange={(event) =>
                    onChange(
                      event.target.checked
                        ? [...value, permission]
                        : value.filter((held) => held !== permission),
                    )
                  }
                />
                <code>{permission}</code>
              </label>
            );
          })}
      </div>
      {error && (
        <p className="field-error" id={errorId}>
          {error}
        </p>
      )}
    </fieldset>
  );
}
