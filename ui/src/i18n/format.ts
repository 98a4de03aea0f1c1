// Dates and numbers in the user's locale: the chosen UI language, in the region the system
// prefers for it (an `en-US` system shows US dates in English, `en-GB` British ones).
import type { Language } from "../ipc";

/** The locale for `lang`: the first preferred system locale in that language, else `lang`. */
export function resolveLocale(lang: Language, preferred: readonly string[]): string {
  for (const tag of preferred) {
    try {
      const [canonical] = Intl.getCanonicalLocales(tag);
      if (canonical && new Intl.Locale(canonical).language === lang) return canonical;
    } catch {
      // A malformed tag from the system is skipped, not fatal.
    }
  }
  return lang;
}

export interface Formats {
  /** A stored RFC 3339 timestamp to the minute; "" when absent, as stored when unreadable. */
  dateTime: (iso: string | null | undefined) => string;
  /** A timeline moment to the second (the verdicts measure seconds). */
  dateTimeSeconds: (iso: string) => string;
  number: (n: number) => string;
  /** A file size in binary units with one decimal (KiB, MiB). */
  bytes: (n: number) => string;
}

/** A value made on first use: creating `Intl` formatters is the costly part of the first
 * screen's script (the first one loads ICU's data), and many are never used (issue 15). */
export function lazy<T>(make: () => T): () => T {
  let made = false;
  let value: T;
  return () => {
    if (!made) {
      value = make();
      made = true;
    }
    return value;
  };
}

export function makeFormats(locale: string): Formats {
  const minutes = lazy(
    () =>
      new Intl.DateTimeFormat(locale, {
        year: "numeric",
        month: "short",
        day: "numeric",
        hour: "2-digit",
        minute: "2-digit",
      }),
  );
  const seconds = lazy(
    () =>
      new Intl.DateTimeFormat(locale, {
        month: "short",
        day: "numeric",
        hour: "2-digit",
        minute: "2-digit",
        second: "2-digit",
      }),
  );
  const integer = lazy(() => new Intl.NumberFormat(locale));
  const oneDecimal = lazy(
    () =>
      new Intl.NumberFormat(locale, {
        minimumFractionDigits: 1,
        maximumFractionDigits: 1,
      }),
  );
  const date = (iso: string, f: () => Intl.DateTimeFormat) => {
    const d = new Date(iso);
    return Number.isNaN(d.getTime()) ? iso : f().format(d);
  };
  return {
    dateTime: (iso) => (iso ? date(iso, minutes) : ""),
    dateTimeSeconds: (iso) => date(iso, seconds),
    number: (n) => integer().format(n),
    bytes: (n) => {
      if (n < 1024) return `${integer().format(n)} B`;
      if (n < 1024 * 1024) return `${oneDecimal().format(n / 1024)} KiB`;
      return `${oneDecimal().format(n / 1024 / 1024)} MiB`;
    },
  };
}
