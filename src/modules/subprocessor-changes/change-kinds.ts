/* Kinds and states of subprocessor changes, apart from the table so the admin console's bundle holds no ORM. */

export const changeKinds = ['add', 'replace', 'remove'] as const;
export type ChangeKind = (typeof changeKinds)[number];
export const changeStates = ['scheduled', 'applied', 'cancelled'] as const;
export type ChangeState = (typeof changeStates)[number];
