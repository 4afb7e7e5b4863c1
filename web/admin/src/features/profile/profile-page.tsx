import { profileInput } from '@attest/modules/content/content.contract.js';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { api } from '../../api/client.js';
import type { Profile } from '../../api/types.js';
import { useCan } from '../../auth/session.js';
import { formatDateTime } from '../../ui/badges.js';
import { FormError, SubmitButton, TextField } from '../../ui/fields.js';
import { ListState } from '../../ui/list-state.js';
import { Notice } from '../../ui/notice.js';
import { PageHeader } from '../../ui/page-header.js';
import { useForm } from '../../ui/use-form.js';
import { CONTENT_KEY } from '../content-queries.js';

const PROFILE_KEY = [...CONTENT_KEY, 'profile'];

export function ProfilePage() {
  const can = useCan();
  const profile = useQuery({ queryKey: PROFILE_KEY, queryFn: () => api.get<Profile>('/profile') });
  return (
    <>
      <PageHeader
        title="Trust center profile"
        description="The name, tagline and introduction visitors see first."
      />
      {profile.isPending && <ListState state="loading" />}
      {profile.isError && <ListState state="error" error={profile.error} onRetry={() => profile.refetch()} />}
      {profile.data &&
        (can('content:write') ? (
          <ProfileForm profile={profile.data} />
        ) : (
          <dl className="dl card">
            <dt>Company name</dt>
            <dd>{profile.data.companyName || '—'}</dd>
            <dt>Tagline</dt>
            <dd>{profile.data.tagline || '—'}</dd>
            <dt>Introduction</dt>
            <dd>{profile.data.intro || '—'}</dd>
            <dt>Security contact</dt>
            <dd>{profile.data.securityContact || '—'}</dd>
          </dl>
        ))}
    </>
  );
}

function ProfileForm({ profile }: { profile: Profile }) {
  const queryClient = useQueryClient();
  const [saved, setSaved] = useState(false);
  const initial = {
    companyName: profile.companyName,
    tagline: profile.tagline,
    intro: profile.intro,
    securityContact: profile.securityContact,
  };
  const form = useForm(profileInput, initial, async (body) => {
    setSaved(false);
    const updated = await api.put<Profile>('/profile', body);
    queryClient.setQueryData(PROFILE_KEY, updated);
    await queryClient.invalidateQueries({ queryKey: CONTENT_KEY });
    setSaved(true);
  });
  return (
    <form
      ref={form.formRef}
      className="form card"
      onSubmit={form.handleSubmit}
      noValidate
      aria-label="Profile"
    >
      <TextField form={form} name="companyName" label="Company name" required />
      <TextField form={form} name="tagline" label="Tagline" hint="One line under the company name." />
      <TextField
        form={form}
        name="intro"
        label="Introduction"
        multiline
        hint="Blank lines separate paragraphs."
      />
      <TextField
        form={form}
        name="securityContact"
        label="Security contact"
        hint="An e-mail address or a web address where researchers report vulnerabilities."
      />
      <FormError message={form.formError} />
      {saved && <Notice tone="success">Saved to the draft. Publish to make it public.</Notice>}
      <div className="actions">
        <SubmitButton form={form}>Save profile</SubmitButton>
        <span className="muted">Last saved {formatDateTime(profile.updatedAt)}</span>
      </div>
    </form>
  );
}
