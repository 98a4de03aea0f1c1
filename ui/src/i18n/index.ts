// Every UI string in English and Japanese, one file per feature, behind one typed lookup.
// Checklist texts come from the backend in both languages; these tables hold the app's own
// chrome. Tests assert both languages have the same keys and no key is defined twice.
import { createContext, useContext } from "react";
import type { Language, Text } from "../ipc";
import * as checks from "./checks";
import * as common from "./common";
import * as environment from "./environment";
import { type Formats, lazy, makeFormats, resolveLocale } from "./format";
import * as listing from "./listing";
import * as purchase from "./purchase";
import * as report from "./report";
import * as sandbox from "./sandbox";
import type { Message, Plural } from "./types";
import * as wizard from "./wizard";

export { type Formats, makeFormats, resolveLocale } from "./format";
export type { Message, Plural } from "./types";

/** The feature tables, by name, for the tests that keep them consistent. */
export const features = {
  common,
  wizard,
  environment,
  checks,
  sandbox,
  purchase,
  report,
  listing,
};

export const en = {
  ...common.en,
  ...wizard.en,
  ...environment.en,
  ...checks.en,
  ...sandbox.en,
  ...purchase.en,
  ...report.en,
  ...listing.en,
};
export type MessageKey = keyof typeof en;

export const ja: Record<MessageKey, string> = {
  ...common.ja,
  ...wizard.ja,
  ...environment.ja,
  ...checks.ja,
  ...sandbox.ja,
  ...purchase.ja,
  ...report.ja,
  ...listing.ja,
};

/** Keys whose English message has plural forms: looking one up needs the count `n`. */
export type PluralKey = {
  [K in MessageKey]: (typeof en)[K] extends Plural ? K : never;
}[MessageKey];
/** Every other key. */
export type TextKey = Exclude<MessageKey, PluralKey>;

export type Vars = Record<string, string | number>;

export interface Translate {
  (key: PluralKey, vars: Vars & { n: number }): string;
  (key: TextKey, vars?: Vars): string;
}

export const dictionaries: Record<Language, Record<MessageKey, Message>> = { en, ja };

/** The lookup for one language: plural forms by `Intl.PluralRules`, numbers in the locale. */
export function makeT(lang: Language, locale: string = lang): Translate {
  const dict = dictionaries[lang];
  const rules = lazy(() => new Intl.PluralRules(locale));
  const numbers = lazy(() => new Intl.NumberFormat(locale));
  return ((key: MessageKey, vars?: Vars) => {
    const m: Message = dict[key] ?? en[key] ?? key;
    let s =
      typeof m === "string"
        ? m
        : ((m as Record<string, string>)[rules().select(Number(vars?.n ?? 0))] ?? m.other);
    if (vars) {
      for (const [k, v] of Object.entries(vars)) {
        s = s.replaceAll(`{${k}}`, typeof v === "number" ? numbers().format(v) : v);
      }
    }
    return s;
  }) as Translate;
}

export interface I18n {
  lang: Language;
  /** The locale dates and numbers follow (see `resolveLocale`). */
  locale: string;
  t: Translate;
  /** Picks the current language from a bilingual text of the checklist. */
  tx: (text: Text) => string;
  fmt: Formats;
}

function systemLocales(): readonly string[] {
  return typeof navigator === "undefined" ? [] : (navigator.languages ?? [navigator.language]);
}

export function makeI18n(lang: Language, preferred: readonly string[] = systemLocales()): I18n {
  const locale = resolveLocale(lang, preferred);
  return {
    lang,
    locale,
    t: makeT(lang, locale),
    tx: (text) => text[lang],
    fmt: makeFormats(locale),
  };
}

export const I18nContext = createContext<I18n>(makeI18n("en"));
export const useI18n = () => useContext(I18nContext);
