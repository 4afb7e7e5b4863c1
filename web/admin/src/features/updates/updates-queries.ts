import type { noticeResponse } from '@attest/modules/notices/notices.contract.js';
import type {
  changeResponse,
  noticePeriodResponse,
} from '@attest/modules/subprocessor-changes/subprocessor-changes.contract.js';
import type {
  NotificationSettings,
  subscriberCounts,
  subscriberResponse,
} from '@attest/modules/subscribers/subscribers.contract.js';
import type { incidentResponse, postResponse } from '@attest/modules/updates/updates.contract.js';
import { useQuery } from '@tanstack/react-query';
import type { z } from 'zod';
import { api } from '../../api/client.js';

/*
 * What the updates, incidents, subprocessor-change, notice and subscriber routes answer (types
 * only), and their queries. Every mutation here invalidates UPDATES_KEY: publishing a post or
 * announcing a change also creates a notice and may record an incident's notification.
 */

export type UpdatePost = z.output<typeof postResponse>;
export type Incident = z.output<typeof incidentResponse>;
export type SubprocessorChange = z.output<typeof changeResponse>;
export type NoticePeriod = z.output<typeof noticePeriodResponse>;
export type NoticeView = z.output<typeof noticeResponse>;
export type Subscriber = z.output<typeof subscriberResponse>;
export type SubscriberCounts = z.output<typeof subscriberCounts>;
export type { NotificationSettings };

export const UPDATES_KEY = ['updates-and-notices'] as const;
export const NOTIFICATION_SETTINGS_KEY = ['notification-settings'] as const;
/** Saving the notification settings changes it: the settings form invalidates it. */
export const NOTICE_PERIOD_KEY = ['subprocessor-notice-period'] as const;

interface Items<Item> {
  items: Item[];
}

export function usePosts() {
  return useQuery({
    queryKey: [...UPDATES_KEY, 'posts'],
    queryFn: () => api.get<Items<UpdatePost>>('/updates'),
  });
}

/**
 * True while a published update linked to the incident has not yet counted as notifying customers:
 * the worker records that when the update's notice has gone out, seconds after publishing.
 */
export function awaitingNotice(incident: Incident, posts: UpdatePost[] | undefined): boolean {
  return (
    !incident.customersNotifiedAt &&
    (posts ?? []).some((post) => post.incidentId === incident.id && post.publishedAt !== null)
  );
}

export function useIncidents(options: { refetchInterval?: number } = {}) {
  const posts = usePosts();
  return useQuery({
    queryKey: [...UPDATES_KEY, 'incidents'],
    queryFn: () => api.get<Items<Incident>>('/incidents'),
    // The time to notify moves on by itself: the server's verdict is fetched again now and then,
    // and shortly while a linked update's notice is going out.
    refetchInterval: (query) =>
      (query.state.data?.items ?? []).some((incident) => awaitingNotice(incident, posts.data?.items))
        ? 3_000
        : (options.refetchInterval ?? 60_000),
  });
}

export function useSubprocessorChanges() {
  return useQuery({
    queryKey: [...UPDATES_KEY, 'subprocessor-changes'],
    queryFn: () => api.get<Items<SubprocessorChange>>('/subprocessor-changes'),
  });
}

/** The notice period and the earliest effective date it allows today, as the server counts it. */
export function useNoticePeriod(enabled = true) {
  return useQuery({
    queryKey: NOTICE_PERIOD_KEY,
    queryFn: () => api.get<NoticePeriod>('/subprocessor-changes/notice-period'),
    enabled,
  });
}

export function useNotices() {
  return useQuery({
    queryKey: [...UPDATES_KEY, 'notices'],
    queryFn: () => api.get<Items<NoticeView>>('/notices'),
    // A fan-out runs in the background, and its mails are delivered after it: look again shortly
    // while a fan-out is open, and now and then while mails wait in the outbox (retries back off).
    refetchInterval: (query) => {
      const items = query.state.data?.items ?? [];
      if (items.some((notice) => notice.state === 'pending' || notice.state === 'sending')) return 3_000;
      return items.some((notice) => notice.delivery.pending > 0) ? 5_000 : false;
    },
  });
}

export function useNotificationSettings(enabled = true) {
  return useQuery({
    queryKey: NOTIFICATION_SETTINGS_KEY,
    queryFn: () => api.get<NotificationSettings>('/notification-settings'),
    enabled,
  });
}

export const kindLabels: Record<UpdatePost['kind'], string> = {
  incident: 'Incident',
  subprocessor: 'Subprocessor',
  certification: 'Certification',
  policy: 'Policy',
  advisory: 'Advisory',
  general: 'General',
};

/** Who hears about a post of each kind (mirrors noticeTopicOf on the server). */
export const kindAudience: Record<UpdatePost['kind'], string> = {
  incident: 'subscribers of incidents and of all updates',
  subprocessor: 'subscribers of subprocessor changes and of all updates',
  certification: 'subscribers of all updates',
  policy: 'subscribers of all updates',
  advisory: 'subscribers of all updates',
  general: 'subscribers of all updates',
};

/** "3 h 05 min", "45 min", "2 d 4 h": a duration for people. */
export function formatDuration(minutes: number): string {
  const total = Math.max(0, Math.floor(minutes));
  const days = Math.floor(total / 1440);
  const hours = Math.floor((total % 1440) / 60);
  const rest = total % 60;
  if (days > 0) return `${days} d ${hours} h`;
  if (hours > 0) return `${hours} h ${String(rest).padStart(2, '0')} min`;
  return `${rest} min`;
}

/** datetime-local holds wall time without a zone; the API wants an instant with an offset. */
export function toInstant(local: string): string {
  if (!local) return '';
  const date = new Date(local);
  return Number.isNaN(date.getTime()) ? local : date.toISOString();
}

/** An instant as the value of a datetime-local input, in the browser's zone. */
export function toLocalInput(instant: string | null | undefined): string {
  if (!instant) return '';
  const date = new Date(instant);
  if (Number.isNaN(date.getTime())) return '';
  const local = new Date(date.getTime() - date.getTimezoneOffset() * 60_000);
  return local.toISOString().slice(0, 16);
}

export { NOTIFY_TARGET_HOURS } from '@attest/modules/updates/updates.contract.js';
