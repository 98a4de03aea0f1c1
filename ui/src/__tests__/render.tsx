// Renders one component as the app would: inside a query cache and a language.
import { QueryClientProvider } from "@tanstack/react-query";
import { render } from "@testing-library/react";
import type { ReactElement } from "react";
import { I18nContext, makeI18n } from "../i18n";
import type { Language } from "../ipc";
import { makeQueryClient } from "../query/client";

export function renderWith(ui: ReactElement, lang: Language = "en") {
  const client = makeQueryClient();
  const result = render(
    <QueryClientProvider client={client}>
      <I18nContext.Provider value={makeI18n(lang, [])}>{ui}</I18nContext.Provider>
    </QueryClientProvider>,
  );
  return { client, ...result };
}
