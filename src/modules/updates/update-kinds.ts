/* The kinds of update posts, apart from the table so the admin console's bundle holds no ORM. */

export const updateKinds = [
  'incident',
  'subprocessor',
  'certification',
  'policy',
  'advisory',
  'general',
] as const;
export type UpdateKind = (typeof updateKinds)[number];
