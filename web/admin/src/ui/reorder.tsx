import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { api } from '../api/client.js';

/** The order with the item at `index` moved by `delta` places (-1 up, +1 down). */
export function moved(ids: readonly string[], index: number, delta: -1 | 1): string[] {
  const next = [...ids];
  const target = index + delta;
  if (target < 0 || target >= next.length) return next;
  [next[index], next[target]] = [next[target] as string, next[index] as string];
  return next;
}

function buttonId(id: string, direction: 'up' | 'down') {
  return `move-${direction}-${id}`;
}

/**
 * Keyboard-friendly reordering: "Move up" and "Move down" buttons that send the whole new order.
 * Focus stays on the moved item's button (or its twin at the edge), and a live region says where
 * the item went.
 */
export function useReorder(url: string, invalidate: readonly unknown[]) {
  const queryClient = useQueryClient();
  const [announcement, setAnnouncement] = useState('');
  const mutation = useMutation({
    mutationFn: (variables: { ids: string[]; id: string; label: string; direction: 'up' | 'down' }) =>
      api.put<void>(url, { ids: variables.ids }),
    onSuccess: async (_result, { ids, id, label, direction }) => {
      await queryClient.invalidateQueries({ queryKey: invalidate });
      const position = ids.indexOf(id) + 1;
      setAnnouncement(`Moved ${label} to position ${position} of ${ids.length}.`);
      requestAnimationFrame(() => {
        const same = document.getElementById(buttonId(id, direction)) as HTMLButtonElement | null;
        const other = document.getElementById(buttonId(id, direction === 'up' ? 'down' : 'up'));
        (same && !same.disabled ? same : other)?.focus();
      });
    },
  });

  /** A plain render function (not a component), so the buttons keep their identity and focus. */
  function buttons(ids: readonly string[], index: number, label: string) {
    const id = ids[index] as string;
    // Not disabled while a move is saved: disabling the focused button would throw focus away.
    const move = (direction: 'up' | 'down') => {
      if (mutation.isPending) return;
      mutation.mutate({ ids: moved(ids, index, direction === 'up' ? -1 : 1), id, label, direction });
    };
    return (
      <>
        <button
          id={buttonId(id, 'up')}
          type="button"
          className="button button-small"
          aria-label={`Move ${label} up`}
          disabled={index === 0}
          onClick={() => move('up')}
        >
          ↑
        </button>
        <button
          id={buttonId(id, 'down')}
          type="button"
          className="button button-small"
          aria-label={`Move ${label} down`}
          disabled={index === ids.length - 1}
          onClick={() => move('down')}
        >
          ↓
        </button>
      </>
    );
  }

  return { buttons, announcement, error: mutation.error };
}

export function Announcer({ message }: { message: string }) {
  return (
    <p className="visually-hidden" role="status" aria-live="polite">
      {message}
    </p>
  );
}
