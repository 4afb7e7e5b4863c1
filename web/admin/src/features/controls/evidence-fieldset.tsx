import {
  type EvidenceCheckKey,
  evidenceCheckKeys,
  evidenceChecks,
} from '@attest/modules/evidence/evidence.contract.js';

/**
 * The live-evidence checks that back a control, one checkbox each: the check's title as the label,
 * and what exactly it looks at as the help text, so an editor only ticks a check that proves the
 * control's claim. Kept in the order of the contract, whatever order they were ticked in.
 */
export function EvidenceFieldset({
  value,
  onChange,
  error,
}: {
  value: readonly EvidenceCheckKey[];
  onChange: (next: EvidenceCheckKey[]) => void;
  error: string | undefined;
}) {
  const hintId = 'evidence-hint';
  const errorId = 'evidence-error';
  const describedBy = [hintId, error ? errorId : null].filter(Boolean).join(' ');
  const toggle = (key: EvidenceCheckKey, checked: boolean) =>
    onChange(
      evidenceCheckKeys.filter((candidate) => (candidate === key ? checked : value.includes(candidate))),
    );
  return (
    <fieldset aria-describedby={describedBy} data-path="evidence">
      <legend>Evidence</legend>
      <p className="field-hint" id={hintId}>
        Machine checks of this installation that prove the control. Once published, the security page links
        each ticked check to its latest result. Tick only a check that proves what the description claims.
      </p>
      <div className="evidence-checks">
        {evidenceCheckKeys.map((key) => {
          const id = `evidence-${key}`;
          return (
            <div className="evidence-check" key={key}>
              <label className="check" htmlFor={id}>
                <input
                  id={id}
                  type="checkbox"
                  checked={value.includes(key)}
                  aria-describedby={`${id}-help`}
                  onChange={(event) => toggle(key, event.target.checked)}
                />
                <span>{evidenceChecks[key].title}</span>
              </label>
              <p className="field-hint evidence-help" id={`${id}-help`}>
                {evidenceChecks[key].checks}
              </p>
            </div>
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

/** The titles of a control's checks, for read-only views. */
export function evidenceTitles(keys: readonly EvidenceCheckKey[]): string {
  return keys.map((key) => evidenceChecks[key].title).join(', ');
}
