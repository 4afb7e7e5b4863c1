import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { useLocation } from 'react-router';
import { z } from 'zod';
import { request } from '../../api/client.js';
import { ME_KEY, useMe } from '../../auth/session.js';
import { FormError, SubmitButton, TextField } from '../../ui/fields.js';
import { ErrorNotice, Notice } from '../../ui/notice.js';
import { OneTimeSecret } from '../../ui/one-time-secret.js';
import { PageHeader } from '../../ui/page-header.js';
import { useForm } from '../../ui/use-form.js';

/** The BFF's code input (src/bff/bff.routes.ts): a 6-digit code, or a recovery code to disable. */
const codeInput = z.object({ code: z.string().trim().min(6).max(40) });

export function TwoFactorPage() {
  const me = useMe();
  const location = useLocation();
  const queryClient = useQueryClient();
  const [recoveryCodes, setRecoveryCodes] = useState<string[] | null>(null);
  const setup = useMutation({
    mutationFn: () => request<{ secret: string; uri: string }>('POST', '/bff/mfa/setup'),
  });
  const enable = useForm(codeInput, { code: '' }, async (body) => {
    const result = await request<{ recoveryCodes: string[] }>('POST', '/bff/mfa/enable', body);
    setRecoveryCodes(result.recoveryCodes);
    setup.reset();
    await queryClient.invalidateQueries({ queryKey: ME_KEY });
  });
  const disable = useForm(codeInput, { code: '' }, async (body) => {
    await request<void>('POST', '/bff/mfa/disable', body);
    disable.reset({ code: '' });
    await queryClient.invalidateQueries({ queryKey: ME_KEY });
  });
  const enrollmentRequired = (location.state as { enrollmentRequired?: boolean } | null)?.enrollmentRequired;

  return (
    <>
      <PageHeader
        title="Two-factor authentication"
        description="A code from an authenticator app, asked for at every sign-in."
      />
      <div className="stack-lg">
        {enrollmentRequired && !me.mfa.enabled && (
          <Notice tone="warning">
            This trust center requires two-factor authentication. Set it up to continue.
          </Notice>
        )}
        {recoveryCodes && (
          <OneTimeSecret title="Recovery codes" lines={recoveryCodes} onDone={() => setRecoveryCodes(null)} />
        )}
        {me.mfa.enabled ? (
          <section className="card stack" aria-labelledby="disable-heading">
            <h2 id="disable-heading">Two-factor authentication is on</h2>
            <p>To turn it off, enter a current code or a recovery code.</p>
            <form
              ref={disable.formRef}
              className="form"
              onSubmit={disable.handleSubmit}
              noValidate
              aria-labelledby="disable-heading"
            >
              <TextField
                form={disable}
                name="code"
                label="Code"
                autoComplete="one-time-code"
                idPrefix="disable"
                required
              />
              <FormError message={disable.formError} />
              <div className="actions">
                <SubmitButton form={disable} busyLabel="Turning off…">
                  Turn off
                </SubmitButton>
              </div>
            </form>
          </section>
        ) : (
          <section className="card stack" aria-labelledby="setup-heading">
            <h2 id="setup-heading">Set up an authenticator app</h2>
            {!setup.data && (
              <>
                <p>
                  You will add Attest to an app such as a password manager or an authenticator, then confirm
                  with a code.
                </p>
                <ErrorNotice error={setup.error} />
                <div className="actions">
                  <button
                    type="button"
                    className="button button-primary"
                    onClick={() => setup.mutate()}
                    disabled={setup.isPending}
                  >
                    {setup.isPending ? 'Preparing…' : 'Start set-up'}
                  </button>
                </div>
              </>
            )}
            {setup.data && (
              <>
                <p>
                  Add this account to your app with the link below (most apps accept it pasted), or type the
                  secret key.
                </p>
                <p className="field-label">Set-up link (otpauth URI)</p>
                <p className="secret" data-testid="otpauth-uri">
                  {setup.data.uri}
                </p>
                <p className="field-label">Secret key</p>
                <p className="secret" data-testid="totp-secret">
                  {setup.data.secret}
                </p>
                <form
                  ref={enable.formRef}
                  className="form"
                  onSubmit={enable.handleSubmit}
                  noValidate
                  aria-label="Confirm the authenticator"
                >
                  <TextField
                    form={enable}
                    name="code"
                    label="Code from the app"
                    hint="6 digits."
                    autoComplete="one-time-code"
                    inputMode="numeric"
                    idPrefix="enable"
                    required
                  />
                  <FormError message={enable.formError} />
                  <div className="actions">
                    <SubmitButton form={enable} busyLabel="Checking…">
                      Turn on
                    </SubmitButton>
                  </div>
                </form>
              </>
            )}
          </section>
        )}
      </div>
    </>
  );
}
