// The app frame: loads preferences, the checklist and the current workspace, keeps them fresh on
// every store-changed event, and routes between the overview, a step and an environment.
import { useCallback, useEffect, useMemo, useRef, useState } from "react";
import { EnvironmentForm } from "./components/EnvironmentForm";
import { ErrorBanner } from "./components/ErrorBanner";
import { NewWorkspaceDialog } from "./components/NewWorkspaceDialog";
import { Overview } from "./components/Overview";
import { PhaseRail, type View } from "./components/PhaseRail";
import { PurchasePage } from "./components/PurchasePage";
import { SandboxPage } from "./components/SandboxPage";
import { StepView } from "./components/StepView";
import { TopBar } from "./components/TopBar";
import { I18nContext, makeI18n } from "./i18n";
import type { AppInfo, Checklist, Preferences, WorkspaceDetail, WorkspaceSummary } from "./ipc";
import { api, IpcError, onStoreChanged } from "./ipc";

const defaultPrefs: Preferences = {
  language: "en",
  theme: "system",
  actor: "",
  last_workspace_id: null,
};

export function App() {
  const [prefs, setPrefs] = useState<Preferences>(defaultPrefs);
  const [info, setInfo] = useState<AppInfo | null>(null);
  const [checklist, setChecklist] = useState<Checklist | null>(null);
  const [workspaces, setWorkspaces] = useState<WorkspaceSummary[]>([]);
  const [detail, setDetail] = useState<WorkspaceDetail | null>(null);
  const [view, setView] = useState<View>({ kind: "overview" });
  const [fatal, setFatal] = useState<IpcError | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [creating, setCreating] = useState(false);
  const i18n = useMemo(() => makeI18n(prefs.language), [prefs.language]);
  const currentId = detail?.workspace.id ?? null;
  // The workspace on screen right now, for async work that must not resurrect an older one.
  // Set only where a workspace is opened, never on render, so a load in flight keeps its target.
  const shownId = useRef<string | null>(null);

  const report = useCallback((e: unknown) => {
    setError(e instanceof Error ? e.message : String(e));
  }, []);

  const loadWorkspace = useCallback(async (id: string | null) => {
    shownId.current = id;
    const next = id ? await api.getWorkspace(id) : null;
    if (shownId.current === id) setDetail(next);
  }, []);

  // First load: everything the wizard needs before it is interactive.
  useEffect(() => {
    let cancelled = false;
    (async () => {
      try {
        const [appInfo, p, cl, list] = await Promise.all([
          api.appInfo(),
          api.getPreferences(),
          api.getChecklist(),
          api.listWorkspaces(),
        ]);
        if (cancelled) return;
        setInfo(appInfo);
        setPrefs(p);
        setChecklist(cl);
        setWorkspaces(list);
        const pick = list.find((w) => w.workspace.id === p.last_workspace_id) ?? list[0] ?? null;
        if (pick) {
          shownId.current = pick.workspace.id;
          setDetail(await api.getWorkspace(pick.workspace.id));
        }
        api.reportReady().catch(() => {});
      } catch (e) {
        if (!cancelled) setFatal(e instanceof IpcError ? e : new IpcError(String(e)));
      }
    })();
    return () => {
      cancelled = true;
    };
  }, []);

  // Database writes announce themselves; refresh what they touched.
  useEffect(() => {
    let unlisten: (() => void) | undefined;
    let gone = false;
    onStoreChanged(async (ev) => {
      try {
        setWorkspaces(await api.listWorkspaces());
        const id = shownId.current;
        if (id && (ev.workspace_id === id || ev.workspace_id === null)) {
          const next = await api.getWorkspace(id);
          // Another workspace may have been opened while this one loaded.
          if (shownId.current === id) setDetail(next);
        }
      } catch (e) {
        report(e);
      }
    })
      .then((u) => {
        if (gone) u();
        else unlisten = u;
      })
      .catch(() => {});
    return () => {
      gone = true;
      unlisten?.();
    };
  }, [report]);

  // Theme: "system" follows the OS.
  useEffect(() => {
    const media = window.matchMedia?.("(prefers-color-scheme: dark)");
    const apply = () => {
      const dark = prefs.theme === "dark" || (prefs.theme === "system" && !!media?.matches);
      document.documentElement.dataset.theme = dark ? "dark" : "light";
    };
    apply();
    media?.addEventListener?.("change", apply);
    return () => media?.removeEventListener?.("change", apply);
  }, [prefs.theme]);

  useEffect(() => {
    document.documentElement.lang = prefs.language;
  }, [prefs.language]);

  const savePrefs = useCallback(
    async (next: Partial<Preferences>) => {
      const merged = { ...prefs, ...next };
      setPrefs(merged);
      try {
        setPrefs(await api.setPreferences(merged));
      } catch (e) {
        report(e);
      }
    },
    [prefs, report],
  );

  const selectWorkspace = useCallback(
    async (id: string) => {
      try {
        await loadWorkspace(id);
        setView({ kind: "overview" });
        await savePrefs({ last_workspace_id: id });
      } catch (e) {
        report(e);
      }
    },
    [loadWorkspace, savePrefs, report],
  );

  const deleteWorkspace = useCallback(
    async (id: string) => {
      try {
        await api.deleteWorkspace(id);
        const list = await api.listWorkspaces();
        setWorkspaces(list);
        await loadWorkspace(list[0]?.workspace.id ?? null);
        setView({ kind: "overview" });
      } catch (e) {
        report(e);
      }
    },
    [loadWorkspace, report],
  );

  if (fatal) {
    return (
      <I18nContext.Provider value={i18n}>
        <div className="fatal" role="alert">
          <img src="/icon.svg" alt="" width={64} height={64} />
          <h1>{i18n.t("startupErrorTitle")}</h1>
          <p data-testid="fatal-message">{fatal.message}</p>
          <code>{fatal.code}</code>
        </div>
      </I18nContext.Provider>
    );
  }

  if (!checklist || !info) {
    return (
      <div className="loading" aria-busy="true">
        {i18n.t("loading")}
      </div>
    );
  }

  return (
    <I18nContext.Provider value={i18n}>
      <a className="skip-link" href="#main">
        {i18n.t("skipToContent")}
      </a>
      <div className="app">
        <TopBar
          workspaces={workspaces}
          currentId={currentId}
          prefs={prefs}
          onSelect={selectWorkspace}
          onNew={() => setCreating(true)}
          onPrefs={savePrefs}
        />
        {error && <ErrorBanner message={error} onDismiss={() => setError(null)} />}
        {detail ? (
          <div className="body">
            <PhaseRail checklist={checklist} detail={detail} view={view} onView={setView} />
            <main id="main" className="main" tabIndex={-1}>
              {view.kind === "overview" && (
                <Overview
                  checklist={checklist}
                  detail={detail}
                  info={info}
                  prefs={prefs}
                  onOpenStep={(stepId) => setView({ kind: "step", stepId })}
                  onPrefs={savePrefs}
                  onDelete={() => deleteWorkspace(detail.workspace.id)}
                />
              )}
              {view.kind === "step" && (
                <StepView
                  key={view.stepId}
                  checklist={checklist}
                  detail={detail}
                  stepId={view.stepId}
                  implemented={info.implemented_checks}
                  onError={report}
                  onOpenStep={(stepId) => setView({ kind: "step", stepId })}
                />
              )}
              {view.kind === "sandbox" && <SandboxPage onError={report} />}
              {view.kind === "purchase" && <PurchasePage detail={detail} onError={report} />}
              {view.kind === "env" && (
                <EnvironmentForm
                  key={`${detail.workspace.id}-${view.env}`}
                  workspaceId={detail.workspace.id}
                  env={
                    detail.environments.find((e) => e.kind === view.env) ?? detail.environments[0]
                  }
                  checklist={checklist}
                  implemented={info.implemented_checks}
                  onError={report}
                />
              )}
            </main>
          </div>
        ) : (
          <main id="main" className="empty-state">
            <img src="/icon.svg" alt="" width={96} height={96} />
            <h1>{i18n.t("noWorkspacesTitle")}</h1>
            <p>{i18n.t("noWorkspacesBody")}</p>
            <button type="button" className="btn primary" onClick={() => setCreating(true)}>
              {i18n.t("newWorkspace")}
            </button>
          </main>
        )}
      </div>
      {creating && (
        <NewWorkspaceDialog
          onClose={() => setCreating(false)}
          onCreated={async (id) => {
            setCreating(false);
            setWorkspaces(await api.listWorkspaces());
            await selectWorkspace(id);
          }}
        />
      )}
    </I18nContext.Provider>
  );
}
