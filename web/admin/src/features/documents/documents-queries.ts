import type {
  AccessRequestOutput,
  AccessRules,
  GrantOutput,
  NdaOutput,
} from '@attest/modules/documents/access.contract.js';
import type {
  DocumentDetail,
  DocumentOutput,
  DocumentVersionOutput,
  DownloadOutput,
} from '@attest/modules/documents/documents.contract.js';
import type { OutboxEntry } from '@attest/platform/mail/mail.contract.js';
import { useQuery } from '@tanstack/react-query';
import { ALL, api, type Page } from '../../api/client.js';
import type { Member } from '../../api/types.js';
import { useCan, useMe } from '../../auth/session.js';
import { MEMBERS_KEY } from '../members/members-queries.js';

/*
 * What the documents and access screens read, by query key. Every change to a document
 * invalidates DOCUMENTS_KEY; every decision, extension or revocation invalidates ACCESS_KEY (and
 * the outbox, which a decision writes to).
 */

export type DocumentItem = DocumentOutput;
export type { AccessRequestOutput, AccessRules, DocumentDetail, DocumentVersionOutput, DownloadOutput };
export type Grant = GrantOutput;
export type Nda = NdaOutput;
export type { OutboxEntry };

/**
 * Lists that visitors change (requests, grants opened, downloads, mails): read again whenever a
 * screen shows them, instead of trusting a copy from a few seconds ago.
 */
export const CHANGED_BY_VISITORS = 0;

export const DOCUMENTS_KEY = ['documents'] as const;
export const ACCESS_KEY = ['access'] as const;
export const OUTBOX_KEY = ['outbox'] as const;
export const NDA_KEY = ['nda'] as const;
export const RULES_KEY = [...ACCESS_KEY, 'rules'] as const;

export function useDocuments(enabled = true) {
  return useQuery({
    queryKey: DOCUMENTS_KEY,
    queryFn: () => api.get<Page<DocumentItem>>('/documents', ALL),
    enabled,
  });
}

export function useDocument(id: string | undefined) {
  return useQuery({
    queryKey: [...DOCUMENTS_KEY, id],
    queryFn: () => api.get<DocumentDetail>(`/documents/${id}`),
    enabled: Boolean(id),
  });
}

export function useGrants(enabled = true) {
  return useQuery({
    queryKey: [...ACCESS_KEY, 'grants'],
    queryFn: () => api.get<Page<Grant>>('/grants', ALL),
    enabled,
    staleTime: CHANGED_BY_VISITORS,
  });
}

export function useAccessRules(enabled = true) {
  return useQuery({
    queryKey: RULES_KEY,
    queryFn: () => api.get<AccessRules>('/access-rules'),
    enabled,
  });
}

/** Document titles by id, for lists that name documents by id (requests, grants). */
export function useDocumentTitles(): (id: string) => string {
  const can = useCan();
  const documents = useDocuments(can('documents:read'));
  const titles = new Map((documents.data?.items ?? []).map((document) => [document.id, document.title]));
  if (!can('documents:read')) return () => 'A document';
  if (!documents.data) return () => 'Loading the title…';
  return (id) => titles.get(id) ?? 'A deleted document';
}

/**
 * Who an actor id such as "user:<uuid>" is: "you", a member's e-mail address (for those who may
 * read the member list) or a short technical id.
 */
export function useActorName(): (actor: string) => string {
  const me = useMe();
  const can = useCan();
  const members = useQuery({
    queryKey: [...MEMBERS_KEY, 'list'],
    queryFn: () => api.get<Page<Member>>('/members', ALL),
    enabled: can('members:read'),
  });
  const emails = new Map((members.data?.items ?? []).map((member) => [member.userId, member.email]));
  return (actor) => {
    const [kind, id = ''] = actor.split(':');
    if (kind === 'user' && id === me.user.id) return 'you';
    if (kind === 'user') return emails.get(id) ?? `user ${id.slice(0, 8)}`;
    if (kind === 'api_key') return `API key ${id.slice(0, 8)}`;
    return kind === 'system' ? 'Attest' : `${kind} ${id.slice(0, 8)}`;
  };
}

export const categoryLabels: Record<DocumentItem['category'], string> = {
  certification_report: 'Certification report',
  pentest: 'Penetration test',
  policy: 'Policy',
  legal: 'Legal',
  other: 'Other',
};

export const accessLevelLabels: Record<DocumentItem['accessLevel'], string> = {
  public: 'Public',
  gated: 'On request',
  private: 'Private',
};

export const accessLevelHints: Record<DocumentItem['accessLevel'], string> = {
  public: 'anyone may download it from the trust center',
  gated: 'listed publicly, shared after an approved access request (PDFs are watermarked)',
  private: 'staff only, never published',
};

/** Allowed by the API (decided from the bytes; the extension must match). */
export const ACCEPTED_FILES = '.pdf,.docx,.xlsx,.png,.jpg,.jpeg,.txt,.md,.markdown';
const ACCEPTED_EXTENSIONS = new Set(ACCEPTED_FILES.split(',').map((extension) => extension.slice(1)));

/** The API's own message for a refused type, said before the upload instead of after it. */
export function fileProblem(file: File | undefined): string | undefined {
  if (!file) return 'Choose a file to upload.';
  if (file.size === 0) return 'The file is empty.';
  const extension = file.name.includes('.') ? file.name.split('.').pop()?.toLowerCase() : undefined;
  if (!extension || !ACCEPTED_EXTENSIONS.has(extension)) {
    return 'This kind of file is not accepted: upload PDF, DOCX, XLSX, PNG, JPEG, plain text or Markdown.';
  }
  return undefined;
}

const DAY_MS = 86_400_000;

export type Validity = { tone: 'danger' | 'warning' | 'neutral'; label: string } | null;

/** "Valid until …", flagged when it has passed or ends within 30 days. */
export function validity(expiresOn: string | null, today = new Date()): Validity {
  if (!expiresOn) return null;
  const end = Date.parse(`${expiresOn}T00:00:00Z`);
  const start = Date.parse(`${today.toISOString().slice(0, 10)}T00:00:00Z`);
  const days = Math.round((end - start) / DAY_MS);
  if (days < 0) return { tone: 'danger', label: 'Expired' };
  if (days <= 30) return { tone: 'warning', label: days === 0 ? 'Ends today' : `Ends in ${days} days` };
  return { tone: 'neutral', label: '' };
}
