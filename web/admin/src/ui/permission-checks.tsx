import type { Permission } from '@attest/platform/auth/context.js';
import { allPermissionGroups, permissionLabels } from './permission-labels.js';

/**
 * One checkbox per permission, grouped by the part of the console it opens and labelled in words
 * (the code stays visible for people who script the API). Only those the person holds can be
 * granted (the API enforces it too); with `disabled` the choice is shown but cannot change.
 */
export function PermissionChecks({
  legend,
  available,
  value,
  onChange,
  error,
  idPrefix,
  disabled = false,
  hint,
}: {
  legend: string;
  available: readonly Permission[];
  value: readonly Permission[];
  onChange: (next: Permission[]) => void;
  error: string | undefined;
  idPrefix: string;
  disabled?: boolean;
  hint?: string;
}) {
  const errorId = `${idPrefix}-error`;
  const hintId = `${idPrefix}-hint`;
  const describedBy = [hint ? hintId : null, error ? errorId : null].filter(Boolean).join(' ') || undefined;
  // A disabled list also shows what is granted but not the viewer's to grant, so nothing is hidden.
  const shown = (permission: Permission) =>
    available.includes(permission) || (disabled && value.includes(permission));
  return (
    <fieldset aria-describedby={describedBy} data-path="permissions" disabled={disabled}>
      <legend>{legend}</legend>
      {hint && (
        <p className="field-hint" id={hintId}>
          {hint}
        </p>
      )}
      <div className="check-groups">
        {allPermissionGroups.map((group) => {
          const listed = group.permissions.filter(shown);
          if (listed.length === 0) return null;
          return (
            <fieldset className="check-group" key={group.heading}>
              <legend>{group.heading}</legend>
              <div className="checks">
                {listed.map((permission) => {
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
                      <span>
                        {permissionLabels[permission]} <code className="muted">{permission}</code>
                      </span>
                    </label>
                  );
                })}
              </div>
            </fieldset>
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
