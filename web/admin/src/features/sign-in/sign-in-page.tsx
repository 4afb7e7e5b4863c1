import { loginInput } from '@attest/modules/sessions/sessions.contract.js';
import { useQueryClient } from '@tanstack/react-query';
import { useEffect, useRef, useState } from 'react';
import { useLocation, useNavigate } from 'react-router';
import { ApiError, request } from '../../api/client.js';
import type { Me } from '../../api/types.js';
import { ME_KEY } from '../../auth/session.js';
import { FormError, SubmitButton, TextField } from '../../ui/fields.js';
import { Notice } from '../../ui/notice.js';
import { useForm } from '../../ui/use-form.js';

interface LocationState {
  from?: string;
  expired?: boolean;
  signedOut?: boolean;
  tenant?: string;
}

/** Sign-in: e-mail, password and trust center; then a code when the account has a second factor. */
export function SignInPage() {
  const navigate = useNavigate();
  const location = useLocation();
  const state = (location.state ?? {}) as LocationState;
  const queryClient = useQueryClient();
  const [needsCode, setNeedsCode] = useState(false);
  const codeStep = useRef<HTMLHeadingElement>(null);

  const initial = {
    email: '',
    password: '',
    tenant: state.tenant ?? '',
    totp: undefined as string | undefined,
  };
  const form = useForm(loginInput, initial, async (body) => {
    try {
      const me = await request<Me>('POST', '/bff/login', body);
      queryClient.setQueryData(ME_KEY, me);
      navigate(state.from && state.from !== '/sign-in' ? state.from : '/', { replace: true });
    } catch (error) {
      if (error instanceof ApiError && error.code === 'auth.mfa_required' && !needsCode) {
        setNeedsCode(true);
        return;
      }
      throw error;
    }
  });

  useEffect(() => {
    document.title = 'Sign in · Attest admin';
  }, []);
  useEffect(() => {
    if (needsCode) codeStep.current?.focus();
  }, [needsCode]);

  return (
    <main className="auth-page">
      <div className="auth-card card stack">
        <h1>Sign in to Attest</h1>
        {state.expired && <Notice tone="warning">Your session has ended. Sign in again.</Notice>}
        {state.signedOut && <Notice>You have signed out.</Notice>}
        <form
          ref={form.formRef}
          className="form"
          onSubmit={form.handleSubmit}
          noValidate
          aria-label="Sign in"
        >
          {!needsCode && (
            <div className="stack">
              <TextField
                form={form}
                name="email"
                label="E-mail address"
                type="email"
                autoComplete="username"
                required
              />
              <TextField
                form={form}
                name="password"
                label="Password"
                type="password"
                autoComplete="current-password"
                required
              />
              <TextField
                form={form}
                name="tenant"
                label="Trust center"
                hint="The short name in your trust center's address, such as demo in /t/demo."
                autoComplete="organization"
                required
              />
            </div>
          )}
          {needsCode && (
            <div className="stack">
              <h2 ref={codeStep} tabIndex={-1}>
                Two-factor authentication
              </h2>
              <TextField
                form={form}
                name="totp"
                label="Code"
                hint="The 6-digit code from your authenticator app, or one of your recovery codes."
                autoComplete="one-time-code"
                inputMode="text"
                required
              />
            </div>
          )}
          <FormError message={form.formError} />
          <div className="actions">
            <SubmitButton form={form} busyLabel="Signing in…">
              {needsCode ? 'Verify and sign in' : 'Sign in'}
            </SubmitButton>
            {needsCode && (
              <button
                type="button"
                className="button"
                onClick={() => {
                  setNeedsCode(false);
                  form.set('totp', undefined);
                }}
              >
                Back
              </button>
            )}
          </div>
        </form>
      </div>
    </main>
  );
}
