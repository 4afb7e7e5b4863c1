import { acceptInvitationInput } from '@attest/modules/accounts/accounts.contract.js';
import { checkPasswordPolicy } from '@attest/modules/accounts/password-policy.js';
import { useEffect, useState } from 'react';
import { Link } from 'react-router';
import { request } from '../../api/client.js';
import { FormError, SubmitButton, TextField } from '../../ui/fields.js';
import { Notice } from '../../ui/notice.js';
import { useForm } from '../../ui/use-form.js';

/** The invitation link carries the tenant and the single-use token in its fragment (never sent to a server). */
function readFragment(): { tenant: string; token: string } {
  const params = new URLSearchParams(window.location.hash.slice(1));
  return { tenant: params.get('tenant') ?? '', token: params.get('token') ?? '' };
}

export function AcceptInvitationPage() {
  const [joined, setJoined] = useState<string | null>(null);
  const [{ tenant, token }] = useState(readFragment);
  const form = useForm(
    acceptInvitationInput,
    { tenant, token, password: undefined as string | undefined },
    async (body) => {
      await request('POST', '/bff/invitations/accept', body);
      // The token is spent: take it out of the address bar and the history entry.
      window.history.replaceState(null, '', window.location.pathname);
      setJoined(body.tenant);
    },
  );
  useEffect(() => {
    document.title = 'Accept invitation · Attest admin';
  }, []);
  const password = form.values.password ?? '';
  const policy = password ? checkPasswordPolicy(password) : { ok: true as const };

  return (
    <main className="auth-page">
      <div className="auth-card card stack">
        <h1>Join a trust center</h1>
        {joined ? (
          <Notice tone="success">
            <p>
              You have joined <strong>{joined}</strong>.{' '}
              <Link to="/sign-in" state={{ tenant: joined }}>
                Sign in
              </Link>
              .
            </p>
          </Notice>
        ) : !token || !tenant ? (
          <Notice tone="error">
            <p>This invitation link is incomplete. Open the whole link from the invitation again.</p>
          </Notice>
        ) : (
          <form
            ref={form.formRef}
            className="form"
            onSubmit={form.handleSubmit}
            noValidate
            aria-label="Accept invitation"
          >
            <p>
              You are invited to the trust center <strong>{tenant}</strong>.
            </p>
            <TextField
              form={form}
              name="password"
              label="Choose a password"
              type="password"
              autoComplete="new-password"
              hint="12 characters or more; a phrase of several words works well. Leave it empty if you already have an Attest account."
            />
            {!policy.ok && (
              <ul className="field-hint" aria-label="Password advice">
                {policy.problems.map((problem) => (
                  <li key={problem}>{problem}</li>
                ))}
              </ul>
            )}
            <FormError message={form.formError} />
            <div className="actions">
              <SubmitButton form={form} busyLabel="Joining…">
                Accept invitation
              </SubmitButton>
            </div>
          </form>
        )}
      </div>
    </main>
  );
}
