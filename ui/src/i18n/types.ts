// The shapes of the message tables, shared by every feature file.

/**
 * A message with English plural forms, chosen with `Intl.PluralRules` from the `n` variable.
 * English has `one` and `other`; a language with no plural forms (Japanese) uses a string.
 */
export type Plural = { one: string; other: string };

export type Message = string | Plural;

/** The other language of a feature's English table: the same keys, each a plain string. */
export type Messages<En extends Record<string, Message>> = { [K in keyof En]: string };
