// Renders one component as the app would: inside a query cache and a language.
import { QueryClientProvider } from "@tanstack/react-query";
import { render } from "@testing-library/react";
import type { ReactElement } from "react";
import { I18nContext, makeI18n } from "../i18n";
import type { Language } from "../ipc";
import { makeQueryClient } from "../query/client";

export function renderWith(ui: ReactElement, lang: Language = "en") {
  const client = makeQueryClient();
  const i18n = makeI18n(lang, []);
  const wrap = (node: ReactElement) => (
    <QueryClientProvider client={client}>
      <I18nContext.Provider value={i18n}>{node}</I18nContext.Provider>
    </QueryClientProvider>
  );
  const result = render(wrap(ui));
  /** Renders new props into the same cache, as a parent re-rendering would. */
  const rerender = (next: ReactElement) => result.rerender(wrap(next));
  return { ...result, client, rerender };
}
