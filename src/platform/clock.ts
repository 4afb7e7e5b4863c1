/** The time source of everything that expires (sessions, tokens, keys); tests pass their own. */
export type Clock = () => Date;

export const systemClock: Clock = () => new Date();
