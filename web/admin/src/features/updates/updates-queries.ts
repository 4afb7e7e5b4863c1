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
import { type InfiniteData, useInfiniteQuery, useQuery } from '@tanstack/react-query';
import type { z } from 'zod';
import { ALL, api, type Page } from '../../api/client.js';

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

/** Rows per page of the list screens; "Load more" fetches the next page. */
const PAGE_SIZE = 50;

/**
 * A list screen's query: pages of PAGE_SIZE read in SQL on the server, the next one fetched on
 * demand. Its key sits under UPDATES_KEY so that every mutation refreshes the pages loaded so far.
 */
function pagedList<Item>(name: string, path: string) {
  return {
    queryKey: [...UPDATES_KEY, name, 'pages'],
    queryFn: ({ pageParam }: { pageParam: number }) =>
      api.get<Page<Item>>(path, { limit: PAGE_SIZE, offset: pageParam }),
    initialPageParam: 0,
    getNextPageParam: (last: Page<Item>) => last.nextOffset ?? undefined,
  };
}

/** The rows of every page loaded so far, in order. */
export function rowsOf<Item>(data: InfiniteData<Page<Item>> | undefined): Item[] {
  return data?.pages.flatMap((page) => page.items) ?? [];
}

/** The newest posts (one page of the largest size), for what looks posts up by incident. */
export function usePosts() {
  return useQuery({
    queryKey: [...UPDATES_KEY, 'posts'],
    queryFn: () => api.get<Page<UpdatePost>>('/updates', ALL),
  });
}

/** The updates screen: posts page by page, newest first. */
export function usePostPages() {
  return useInfiniteQuery(pagedList<UpdatePost>('posts', '/updates'));
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

/**
 * The time to notify moves on by itself: the server's verdict is fetched again now and then, and
 * shortly while a linked update's notice is going out.
 */
function incidentsRefetch(incidents: Incident[], posts: UpdatePost[] | undefined, otherwise: number) {
  return incidents.some((incident) => awaitingNotice(incident, posts)) ? 3_000 : otherwise;
}

/** The most recently detected incidents (one page of the largest size), for the home page and the post form. */
export function useIncidents(options: { refetchInterval?: number } = {}) {
  const posts = usePosts();
  return useQuery({
    queryKey: [...UPDATES_KEY, 'incidents'],
    queryFn: () => api.get<Page<Incident>>('/incidents', ALL),
    refetchInterval: (query) =>
      incidentsRefetch(query.state.data?.items ?? [], posts.data?.items, options.refetchInterval ?? 60_000),
  });
}

/** The incidents screen: incidents page by page, most recently detected first. */
export function useIncidentPages() {
  const posts = usePosts();
  return useInfiniteQuery({
    ...pagedList<Incident>('incidents', '/incidents'),
    refetchInterval: (query) => incidentsRefetch(rowsOf(query.state.data), posts.data?.items, 60_000),
  });
}

/** The subprocessor-changes screen: announced changes page by page, newest first. */
export function useSubprocessorChanges() {
  return useInfiniteQuery(pagedList<SubprocessorChange>('subprocessor-changes', '/subprocessor-changes'));
}

/** The notice period and the earliest effective date it allows today, as the server counts it. */
export function useNoticePeriod(enabled = true) {
  return useQuery({
    queryKey: NOTICE_PERIOD_KEY,
    queryFn: () => api.get<NoticePeriod>('/subprocessor-changes/notice-period'),
    enabled,
  });
}

/** The notices screen: notices page by page, newest first. */
export function useNotices() {
  return useInfiniteQuery({
    ...pagedList<NoticeView>('notices', '/notices'),
    // A fan-out runs in the background, and its mails are delivered after it: look again shortly
    // while a fan-out is open, and now and then while mails wait in the outbox (retries back off).
    refetchInterval: (query) => {
      const items = rowsOf(query.state.data);
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
