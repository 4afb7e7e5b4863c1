import Fastify from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
// The program's modules, as every process loads them: each registers its own error codes.
import '../../app.js';
import { AppError, type ErrorCode, registeredErrorCodes } from '../errors.js';
import { registerErrorHandler } from './error-handler.js';

/*
 * The error codes moved from one table in platform/errors.ts into the modules that raise them
 * (<feature>.errors.ts). Every code must still answer with the same status and body: this is the
 * table as it stood before the move, plus the codes added since (each added here on purpose, so a
 * changed status or message is a reviewed change), checked through the HTTP error handler.
 */
const before: readonly (readonly [string, number, string])[] = [
  ['request.invalid', 400, 'The request is not valid.'],
  ['request.too_large', 413, 'The request body is too large.'],
  ['request.unsupported_media_type', 415, 'This content type is not accepted.'],
  ['request.conflict', 409, 'This conflicts with data that already exists. Reload and try again.'],
  ['request.concurrent_change', 409, 'Someone changed this at the same time. Try again.'],
  ['auth.required', 401, 'Authentication is required.'],
  ['auth.forbidden', 403, 'You do not have permission to do this.'],
  ['auth.invalid_credentials', 401, 'The e-mail address, password or trust center is not correct.'],
  ['auth.mfa_required', 401, 'Enter the code from your authenticator app or a recovery code.'],
  ['auth.mfa_invalid', 401, 'That code is not valid.'],
  ['auth.mfa_throttled', 429, 'Too many wrong codes. Wait a moment and try again.'],
  [
    'auth.mfa_enrollment_required',
    403,
    'This trust center requires two-factor authentication. Set it up first.',
  ],
  ['auth.throttled', 429, 'Too many failed sign-ins. Wait a moment and try again.'],
  ['auth.session_expired', 401, 'Your session has ended. Sign in again.'],
  ['auth.origin_rejected', 403, 'This request did not come from this site.'],
  ['auth.weak_password', 422, 'Choose a stronger password.'],
  [
    'auth.trust_center_unavailable',
    404,
    'That trust center is not available to you. Check the name or sign in to it.',
  ],
  ['auth.invitation_invalid', 404, 'This invitation is not valid any more.'],
  ['member.not_found', 404, 'Not found.'],
  ['member.last_owner', 409, 'A trust center needs at least one owner.'],
  ['member.exists', 409, 'That person is already a member.'],
  ['role.not_found', 404, 'No such role.'],
  ['role.in_use', 409, 'That role is still assigned to members.'],
  ['api_key.not_found', 404, 'Not found.'],
  ['host_check.not_found', 404, 'Not found.'],
  ['host_check.limit_reached', 409, 'This trust center has as many host checks as it may have.'],
  ['route.not_found', 404, 'Not found.'],
  ['tenant.not_found', 404, 'No trust center is published here.'],
  ['tenant.slug_taken', 409, 'That slug is already in use.'],
  ['tenant.domain_taken', 409, 'That custom domain is already in use.'],
  [
    'tenant.read_only',
    409,
    'This trust center is closing: it can be read and exported, but no longer changed.',
  ],
  ['content.not_found', 404, 'Not found.'],
  ['content.key_taken', 409, 'An item with that key already exists.'],
  ['content.invalid_import', 422, 'The trust center file is not valid.'],
  ['content.nothing_to_publish', 409, 'There is nothing to publish yet.'],
  ['content.document_not_found', 404, 'Not found.'],
  ['certification.not_found', 404, 'Not found.'],
  ['certification.document_not_found', 404, 'Not found.'],
  ['snapshot.not_found', 404, 'No such published version.'],
  ['rate.limited', 429, 'Too many requests. Try again later.'],
  ['update.not_found', 404, 'Not found.'],
  ['incident.not_found', 404, 'Not found.'],
  [
    'incident.notified_before_detected',
    422,
    'Neither the notification nor the resolution can come before the incident was detected.',
  ],
  ['incident.time_in_future', 400, 'An incident time cannot lie in the future.'],
  [
    'incident.detection_moved_later',
    422,
    'The detection time can be moved earlier, not later: a later time would shorten the time to notify customers.',
  ],
  ['notice.not_found', 404, 'Not found.'],
  ['notice.not_failed', 409, 'Only a failed notice can be retried.'],
  ['mail.not_found', 404, 'Not found.'],
  ['mail.not_failed', 409, 'Only a mail that failed, and is still kept in the outbox, can be sent again.'],
  ['subprocessor_change.not_found', 404, 'Not found.'],
  ['subprocessor_change.too_soon', 422, 'The effective date must be at least the notice period from today.'],
  ['subprocessor_change.unknown_subprocessor', 422, 'There is no subprocessor with that key in the list.'],
  ['subprocessor_change.key_taken', 409, 'A subprocessor with that key already exists.'],
  ['subprocessor_change.not_scheduled', 409, 'This change is no longer scheduled.'],
  ['subscription.link_invalid', 404, 'This link is not valid any more.'],
  ['document.not_found', 404, 'Not found.'],
  ['document.file_required', 400, 'Attach the file to upload.'],
  ['document.empty_file', 422, 'The file is empty.'],
  ['document.bad_filename', 400, 'The file name is not acceptable.'],
  [
    'document.type_not_allowed',
    415,
    'This kind of file is not accepted: upload PDF, DOCX, XLSX, PNG, JPEG, plain text or Markdown.',
  ],
  ['document.type_mismatch', 422, "The file's content does not match its extension."],
  [
    'document.pdf_unreadable',
    422,
    'This PDF cannot be watermarked for download (it is encrypted, damaged or incomplete). Save it again as an ordinary PDF and upload that.',
  ],
  [
    'document.watermark_failed',
    500,
    'This document cannot be prepared for download with your watermark. The trust center team can replace the file; contact them.',
  ],
  ['access_request.not_found', 404, 'Not found.'],
  ['access_request.already_decided', 409, 'This request has already been decided.'],
  ['access_request.invalid', 400, 'Check the highlighted fields and try again.'],
  [
    'access_request.nda_outdated',
    409,
    'The confidentiality agreement has changed since the page was loaded. Read it again.',
  ],
  ['grant.not_found', 404, 'Not found.'],
  ['grant.ended', 409, 'This access has ended; it cannot be changed any more.'],
  ['grant.link_invalid', 404, 'This link is not valid any more.'],
  [
    'visitor.access_required',
    403,
    'This document is shared on request. Request access, or open the link from your e-mail.',
  ],
  ['service.unavailable', 503, 'The service is briefly unavailable. Try again in a moment.'],
  [
    'storage.unavailable',
    503,
    'The file could not be stored right now. Nothing was saved; try again in a moment.',
  ],
  ['knowledge_base.not_found', 404, 'Not found.'],
  ['knowledge_base.key_taken', 409, 'An entry with that key already exists.'],
  [
    'knowledge_base.full',
    409,
    'The knowledge base holds the most entries it can (2,000). Merge or delete some first.',
  ],
  ['internal', 500, 'Something went wrong on our side.'],
  ['tenant_export.not_found', 404, 'Not found.'],
  ['tenant_export.not_ready', 409, 'The export has not finished (or it failed or expired).'],
  ['tenant_export.link_invalid', 404, 'This download link is unknown, used or expired. Ask for a new one.'],
  ['tenant_export.already_running', 409, 'An export of this trust center is already under way.'],
  ['tenant_import.refused', 400, 'The archive was refused; nothing was imported.'],
];

describe('error codes', () => {
  const app = Fastify();
  beforeAll(async () => {
    registerErrorHandler(app);
    app.get<{ Params: { code: string } }>('/fail/:code', async (request) => {
      throw new AppError(request.params.code as ErrorCode);
    });
    await app.ready();
  });
  afterAll(() => app.close());

  it('are the reviewed codes, each registered once', () => {
    expect([...registeredErrorCodes().keys()].sort()).toEqual(before.map(([code]) => code).sort());
  });

  it.each(before)('%s answers %i with its message', async (code, status, message) => {
    const response = await app.inject({ method: 'GET', url: `/fail/${code}` });
    expect(response.statusCode).toBe(status);
    expect(response.json()).toEqual({ error: { code, message, requestId: expect.any(String) } });
  });

  it('refuse a code registered again with another meaning', async () => {
    const { registerErrorCodes } = await import('../errors.js');
    expect(() => registerErrorCodes({ 'member.not_found': { status: 410, message: 'Gone.' } })).toThrow(
      /already registered/,
    );
  });
});
