import { type ErrorSpec, registerErrorCodes } from '../../platform/errors.js';

/** The knowledge base's error codes: the HTTP status and the message people see for each. */
export const knowledgeBaseErrors = registerErrorCodes({
  'knowledge_base.not_found': { status: 404, message: 'Not found.' },
  'knowledge_base.key_taken': { status: 409, message: 'An entry with that key already exists.' },
  'knowledge_base.full': {
    status: 409,
    message: 'The knowledge base holds the most entries it can (2,000). Merge or delete some first.',
  },
} as const satisfies Record<string, ErrorSpec>);

declare module '../../platform/errors.js' {
  interface ErrorCodes extends Record<keyof typeof knowledgeBaseErrors, ErrorSpec> {}
}
