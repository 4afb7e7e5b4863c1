import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { type FormEvent, useEffect, useId, useState } from 'react';
import { useNavigate } from 'react-router';
import { errorMessage, request } from '../api/client.js';
import type { Me, TrustCenter } from '../api/types.js';
import { ME_KEY, useMe } from '../auth/session.js';

const TRUST_CENTERS_KEY = ['trust-centers'] as const;

/**
 * For a person in several trust centers: choose one and press Switch (a select that acted on
 * every change would switch on the first arrow key). The server ends this session and starts one
 * in the other trust center; everything cached about this one is dropped before Home is shown.
 * Hidden for a person with a single trust center.
 */
export function TrustCenterSwitcher() {
  const me = useMe();
  const navigate = useNavigate();
  const queryClient = useQueryClient();
  const id = useId();
  const [chosen, setChosen] = useState(me.tenant.slug);
  const [announcement, setAnnouncement] = useState('');
  const centers = useQuery({
    queryKey: TRUST_CENTERS_KEY,
    queryFn: () => request<{ items: TrustCenter[] }>('GET', '/bff/trust-centers'),
    staleTime: 60_000,
  });
  useEffect(() => setChosen(me.tenant.slug), [me.tenant.slug]);

  const switchTo = useMutation({
    mutationFn: (tenant: string) => request<Me>('POST', '/bff/switch', { tenant }),
    onSuccess: (next) => {
      // Leave the page first, then forget everything the old trust center's pages had loaded.
      const list = centers.data?.items ?? [];
      navigate('/');
      queryClient.clear();
      queryClient.setQueryData(ME_KEY, next);
      // The same trust centers, now with another current one: the switcher stays in place.
      queryClient.setQueryData(TRUST_CENTERS_KEY, {
        items: list.map((center) => ({ ...center, current: center.slug === next.tenant.slug })),
      });
      setAnnouncement(`Switched to ${next.tenant.name}.`);
    },
  });

  const items = centers.data?.items ?? [];
  if (items.length < 2) return null;

  const submit = (event: FormEvent) => {
    event.preventDefault();
    if (chosen !== me.tenant.slug) switchTo.mutate(chosen);
  };

  return (
    <form className="switcher" aria-label="Switch trust center" onSubmit={submit}>
      <label htmlFor={id} className="switcher-label">
        Trust center
      </label>
      <select
        id={id}
        className="select switcher-select"
        value={chosen}
        onChange={(event) => setChosen(event.target.value)}
        disabled={switchTo.isPending}
      >
        {items.map((center) => (
          <option key={center.slug} value={center.slug}>
            {center.name} ({center.roleName}){center.current ? ', current' : ''}
          </option>
        ))}
      </select>
      <button
        type="submit"
        className="button button-small"
        disabled={switchTo.isPending || chosen === me.tenant.slug}
      >
        {switchTo.isPending ? 'Switching…' : 'Switch'}
      </button>
      {switchTo.isError && (
        <span className="field-error" role="alert">
          {errorMessage(switchTo.error)}
        </span>
      )}
      <span className="visually-hidden" role="status">
        {announcement}
      </span>
    </form>
  );
}
