import { useQuery } from '@tanstack/react-query';
import { ALL, api, type Page } from '../api/client.js';
import type { Category, Control, DraftChanges } from '../api/types.js';

/*
 * Query keys of the draft content. Every mutation of content invalidates CONTENT_KEY, which also
 * refreshes what depends on it (the list of unpublished changes, the overdue reviews).
 */
export const CONTENT_KEY = ['content'] as const;

export const categoriesQuery = {
  queryKey: [...CONTENT_KEY, 'categories'],
  queryFn: () => api.get<Page<Category>>('/categories', ALL),
} as const;

export function useCategories() {
  return useQuery(categoriesQuery);
}

export interface ControlFilter {
  categoryId?: string | undefined;
  status?: string | undefined;
  q?: string | undefined;
}

export function useControls(filter: ControlFilter = {}) {
  return useQuery({
    queryKey: [...CONTENT_KEY, 'controls', filter],
    queryFn: () => api.get<Page<Control>>('/controls', { ...ALL, ...filter }),
  });
}

export function useDraftChanges() {
  return useQuery({
    queryKey: [...CONTENT_KEY, 'draft-changes'],
    queryFn: () => api.get<DraftChanges>('/draft/changes'),
  });
}

export function useOverdueReviews() {
  return useQuery({
    queryKey: [...CONTENT_KEY, 'overdue'],
    queryFn: () => api.get<Page<Control>>('/overdue-reviews', ALL),
  });
}

/** The day a control's next review is due, or null when it was never reviewed. */
export function nextReviewDue(
  control: Pick<Control, 'lastReviewedOn' | 'reviewIntervalDays'>,
): string | null {
  if (!control.lastReviewedOn) return null;
  const date = new Date(`${control.lastReviewedOn}T00:00:00Z`);
  date.setUTCDate(date.getUTCDate() + control.reviewIntervalDays);
  return date.toISOString().slice(0, 10);
}
