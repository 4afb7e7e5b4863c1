import { POST_BODY_MAX } from '@attest/modules/updates/updates.contract.js';
import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { useEffect, useState } from 'react';
import { api } from '../../api/client.js';
import { ErrorNotice } from '../../ui/notice.js';

/** How long typing pauses before the preview asks the server again. */
const SETTLE_MS = 400;

function useSettled<Value>(value: Value, ms: number): Value {
  const [settled, setSettled] = useState(value);
  useEffect(() => {
    const timer = setTimeout(() => setSettled(value), ms);
    return () => clearTimeout(timer);
  }, [value, ms]);
  return settled;
}

/**
 * The post body as the public updates page will show it. The server renders it with the same
 * Markdown renderer and sanitiser as the public page and the feeds, so the preview cannot drift
 * from what is published; the console only inserts that sanitised HTML, under a CSP that runs no
 * inline script.
 */
export function BodyPreview({ body }: { body: string }) {
  const settled = useSettled(body, SETTLE_MS);
  const tooLong = settled.length > POST_BODY_MAX;
  const preview = useQuery({
    queryKey: ['updates', 'preview', settled],
    queryFn: () => api.post<{ html: string }>('/updates/preview', { body: settled }),
    enabled: !tooLong,
    placeholderData: keepPreviousData,
    staleTime: Number.POSITIVE_INFINITY,
  });
  const html = preview.data?.html ?? '';
  return (
    <section className="card preview" aria-label="Preview" aria-busy={preview.isFetching}>
      <h2 className="preview-heading">Preview</h2>
      {tooLong ? (
        <p className="field-hint">
          The text is too long to preview; shorten it to {POST_BODY_MAX} characters.
        </p>
      ) : preview.isError ? (
        <ErrorNotice error={preview.error} />
      ) : html ? (
        <div
          className="update-body"
          // biome-ignore lint/security/noDangerouslySetInnerHtml: the server's sanitised rendering, as published
          dangerouslySetInnerHTML={{ __html: html }}
        />
      ) : (
        <p className="field-hint">{preview.isPending ? 'Rendering…' : 'Nothing to preview yet.'}</p>
      )}
    </section>
  );
}
