import { useI18n } from "../i18n";
import type { Preferences, Theme, WorkspaceSummary } from "../ipc";

export function TopBar(props: {
  workspaces: WorkspaceSummary[];
  currentId: string | null;
  prefs: Preferences;
  onSelect: (id: string) => void;
  onNew: () => void;
  onPrefs: (p: Partial<Preferences>) => void;
}) {
  const { t, lang } = useI18n();
  return (
    <header className="topbar">
      <div className="brand">
        {/* A PNG, not the SVG: an SVG image costs the web process a whole SVG document of its
            own (~2.5 MiB at start-up, issue 15). */}
        <img src="/icon-64.png" alt="" width={28} height={28} />
        <span>{t("appName")}</span>
      </div>
      {props.workspaces.length > 0 && (
        <label className="ws-picker">
          <span className="sr-only">{t("workspace")}</span>
          <select
            data-testid="workspace-select"
            value={props.currentId ?? ""}
            onChange={(e) => props.onSelect(e.target.value)}
          >
            {props.workspaces.map((w) => (
              <option key={w.workspace.id} value={w.workspace.id}>
                {w.workspace.name}
              </option>
            ))}
          </select>
        </label>
      )}
      <button type="button" className="btn ghost" data-testid="new-workspace" onClick={props.onNew}>
        + {t("newWorkspace")}
      </button>
      <div className="spacer" />
      <fieldset className="segmented" aria-label={t("language")}>
        <button
          type="button"
          aria-pressed={lang === "en"}
          data-testid="lang-en"
          onClick={() => props.onPrefs({ language: "en" })}
        >
          EN
        </button>
        <button
          type="button"
          aria-pressed={lang === "ja"}
          data-testid="lang-ja"
          onClick={() => props.onPrefs({ language: "ja" })}
        >
          日本語
        </button>
      </fieldset>
      <label className="theme-picker">
        <span className="sr-only">{t("theme")}</span>
        <select
          data-testid="theme-select"
          value={props.prefs.theme}
          onChange={(e) => props.onPrefs({ theme: e.target.value as Theme })}
        >
          <option value="system">◐ {t("themeSystem")}</option>
          <option value="light">☀ {t("themeLight")}</option>
          <option value="dark">☾ {t("themeDark")}</option>
        </select>
      </label>
    </header>
  );
}
