// The app frame: reads preferences, the checklist and the current workspace through the query
// cache (kept fresh per kind of change by the store's events), and routes between the overview,
// a step, an environment, the sandbox and test purchases.
import {
  type QueryClient,
  QueryClientProvider,
  useQuery,
  useQueryClient,
} from "@tanstack/react-query";
import {
  lazy,
  Suspense,
  useCallback,
  useEffect,
  useLayoutEffect,
  useMemo,
  useRef,
  useState,
} from "react";
import { ErrorBanner } from "./components/ErrorBanner";
import { Overview } from "./components/Overview";
import { PhaseRail, type View } from "./components/PhaseRail";
import { TopBar } from "./components/TopBar";
import { I18nContext, makeI18n } from "./i18n";
import type { WorkspaceSummary } from "./ipc";
import { api, IpcError } from "./ipc";
import {
  appInfoQuery,
  checklistQuery,
  defaultPrefs,
  preferencesQuery,
  useSavePreferences,
  useWorkspace,
  workspacesQuery,
} from "./query/app";
import { useStoreSync } from "./query/changes";
import { makeQueryClient } from "./query/client";
import { qk } from "./query/keys";

// The first screen is the overview: the other pages are loaded when first opened, so start-up
// parses and runs only what the overview needs (issue 15).
const StepView = lazy(() => import("./components/StepView").then((m) => ({ default: m.StepView })));
const EnvironmentForm = lazy(() =>
  import("./components/EnvironmentForm").then((m) => ({ default: m.EnvironmentForm })),
);
const SandboxPage = lazy(() =>
  import("./components/SandboxPage").then((m) => ({ default: m.SandboxPage })),
);
const PurchasePage = lazy(() =>
  import("./components/purchase/PurchasePage").then((m) => ({ default: m.PurchasePage })),
);
const ListingPage = lazy(() =>
  import("./components/listing/ListingPage").then((m) => ({ default: m.ListingPage })),
);
const NewWorkspaceDialog = lazy(() =>
  import("./components/NewWorkspaceDialog").then((m) => ({ default: m.NewWorkspaceDialog })),
);

/** `client` may come already filled with the start-up answers (`seedStartup`, main.tsx). */
export function App({ client: given }: { client?: QueryClient }) {
  const [client] = useState(() => given ?? makeQueryClient());
  return (
    <QueryClientProvider client={client}>
      <Shell />
    </QueryClientProvider>
  );
}

/** The workspace to show: the one picked, else the remembered one, else the first. */
function currentOf(
  list: WorkspaceSummary[],
  picked: string | null,
  remembered: string | null,
): string | null {
  const has = (id: string | null) => id !== null && list.some((w) => w.workspace.id === id);
  if (has(picked)) return picked;
  if (has(remembered)) return remembered;
  return list[0]?.workspace.id ?? null;
}

function Shell() {
  const client = useQueryClient();
  const info = useQuery(appInfoQuery);
  const prefsQuery = useQuery(preferencesQuery);
  const checklist = useQuery(checklistQuery);
  const workspaces = useQuery(workspacesQuery);
  const prefs = prefsQuery.data ?? defaultPrefs;
  const [picked, setPicked] = useState<string | null>(null);
  const [view, setView] = useState<View>({ kind: "overview" });
  const [error, setError] = useState<string | null>(null);
  const [creating, setCreating] = useState(false);
  const i18n = useMemo(() => makeI18n(prefs.language), [prefs.language]);
  const list = workspaces.data ?? [];
  const currentId = currentOf(list, picked, prefs.last_workspace_id);
  const workspace = useWorkspace(currentId);
  const detail = workspace.data ?? null;

  const report = useCallback((e: unknown) => {
    setError(e instanceof Error ? e.message : String(e));
  }, []);
  const savePrefs = useSavePreferences(report);
  useStoreSync();

  // A query that fails after start-up goes to the banner; one the app cannot start without
  // shows the start-up error instead (below).
  useEffect(
    () =>
      client.getQueryCache().subscribe((ev) => {
        if (ev.type !== "updated" || ev.action.type !== "error") return;
        if (ev.query.meta?.startup && ev.query.state.data === undefined) return;
        report(ev.action.error);
      }),
    [client, report],
  );

  const startupError = [info, prefsQuery, checklist, workspaces].find(
    (q) => q.error && q.data === undefined,
  )?.error;
  const fatal = startupError
    ? startupError instanceof IpcError
      ? startupError
      : new IpcError(String(startupError))
    : null;
  const ready = !!info.data && !!checklist.data && !!prefsQuery.data && !!workspaces.data && !fatal;
  const shown = ready && (currentId === null || detail !== null || workspace.isError);

  // Start-up is measured to the moment the wizard is interactive: committed to the page with its
  // data, its handlers attached (a layout effect, so the moment does not depend on whether React
  // flushes passive effects before or after the browser's next frame, which differs between the
  // first render and a render caused by a query's answer).
  const reported = useRef(false);
  useLayoutEffect(() => {
    if (!shown || reported.current) return;
    reported.current = true;
    api.reportReady().catch(() => {});
  }, [shown]);

  // Change sets still open when last read (a Public request under AWS review can stay so for
  // weeks) are re-read once per workspace and start; the store's events refresh what shows them.
  const refreshed = useRef(new Set<string>());
  // Only once the wizard is shown: start-up waits for nothing it does not draw.
  useEffect(() => {
    if (!shown || !currentId || refreshed.current.has(currentId)) return;
    refreshed.current.add(currentId);
    api.listingRefresh(currentId).catch(report);
  }, [shown, currentId, report]);

  // Theme: "system" follows the OS. A layout effect, so the first frame is already in the
  // chosen theme (a passive effect ran after that frame: a light flash before dark).
  useLayoutEffect(() => {
    const media = window.matchMedia?.("(prefers-color-scheme: dark)");
    const apply = () => {
      const dark = prefs.theme === "dark" || (prefs.theme === "system" && !!media?.matches);
      document.documentElement.dataset.theme = dark ? "dark" : "light";
    };
    apply();
    media?.addEventListener?.("change", apply);
    return () => media?.removeEventListener?.("change", apply);
  }, [prefs.theme]);

  // Before the first frame too: the language picks the fallback faces for Japanese text.
  useLayoutEffect(() => {
    document.documentElement.lang = prefs.language;
  }, [prefs.language]);

  const selectWorkspace = useCallback(
    async (id: string) => {
      setPicked(id);
      setView({ kind: "overview" });
      await savePrefs({ last_workspace_id: id });
    },
    [savePrefs],
  );

  const deleteWorkspace = useCallback(
    async (id: string) => {
      // Off the screen first, so nothing asks for the workspace once it is gone.
      const next = list.find((w) => w.workspace.id !== id)?.workspace.id ?? null;
      client.setQueryData<WorkspaceSummary[]>(qk.workspaces, (l) =>
        l?.filter((w) => w.workspace.id !== id),
      );
      setPicked(next);
      setView({ kind: "overview" });
      try {
        await api.deleteWorkspace(id);
        client.removeQueries({ queryKey: qk.workspace(id) });
        await savePrefs({ last_workspace_id: next });
      } catch (e) {
        report(e);
        await client.invalidateQueries({ queryKey: qk.workspaces });
      }
    },
    [client, list, savePrefs, report],
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

  if (!ready || !info.data || !checklist.data || !shown) {
    return <Loading text={i18n.t("loading")} />;
  }
  const appInfo = info.data;
  const cl = checklist.data;

  return (
    <I18nContext.Provider value={i18n}>
      <a className="skip-link" href="#main">
        {i18n.t("skipToContent")}
      </a>
      <div className="app">
        <TopBar
          workspaces={list}
          currentId={currentId}
          prefs={prefs}
          onSelect={selectWorkspace}
          onNew={() => setCreating(true)}
          onPrefs={savePrefs}
        />
        {error && <ErrorBanner message={error} onDismiss={() => setError(null)} />}
        {detail ? (
          <div className="body">
            <PhaseRail checklist={cl} detail={detail} view={view} onView={setView} />
            <main id="main" className="main" tabIndex={-1}>
              <Suspense fallback={<Loading text={i18n.t("loading")} />}>
                {view.kind === "overview" && (
                  <Overview
                    checklist={cl}
                    detail={detail}
                    info={appInfo}
                    prefs={prefs}
                    onOpenStep={(stepId) => setView({ kind: "step", stepId })}
                    onPrefs={savePrefs}
                    onDelete={() => deleteWorkspace(detail.workspace.id)}
                  />
                )}
                {view.kind === "step" && (
                  <StepView
                    key={view.stepId}
                    checklist={cl}
                    detail={detail}
                    stepId={view.stepId}
                    implemented={appInfo.implemented_checks}
                    onError={report}
                    onOpenStep={(stepId) => setView({ kind: "step", stepId })}
                    onOpenListing={(env) => setView({ kind: "listing", env })}
                  />
                )}
                {view.kind === "listing" && (
                  <ListingPage
                    key={`${detail.workspace.id}-listing-${view.env}`}
                    workspaceId={detail.workspace.id}
                    env={view.env}
                    onError={report}
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
                    checklist={cl}
                    implemented={appInfo.implemented_checks}
                    onError={report}
                  />
                )}
              </Suspense>
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
        <Suspense fallback={null}>
          <NewWorkspaceDialog
            onClose={() => setCreating(false)}
            onCreated={async (id) => {
              setCreating(false);
              // The list must hold the new workspace before it can be the current one.
              await client.refetchQueries({ queryKey: qk.workspaces });
              await selectWorkspace(id);
            }}
          />
        </Suspense>
      )}
    </I18nContext.Provider>
  );
}

function Loading({ text }: { text: string }) {
  return (
    <div className="loading" aria-busy="true">
      {text}
    </div>
  );
}
