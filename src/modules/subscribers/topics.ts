/* What a subscriber can ask to be told about, apart from the table so the admin console's bundle holds no ORM. */

export const topics = ['subprocessors', 'incidents', 'all'] as const;
export type Topic = (typeof topics)[number];
