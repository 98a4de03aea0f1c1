// The Listing page of an environment: the listing form with live lint, "Compare with AWS",
// "Validate with AWS" and "Apply" (through the confirmation dialog), and the change sets'
// timeline. With no product yet, Apply creates the Limited product and its offer.
import { useEffect, useRef, useState } from "react";
import { type TextKey, useI18n } from "../../i18n";
import {
  api,
  type EnvKind,
  type Finding,
  type Listing,
  type PlanView,
  pickOpenToml,
  pickSaveToml,
} from "../../ipc";
import {
  cleaned,
  complete,
  type EditableListing,
  useListingDoc,
  useListingHistory,
} from "../../query/listing";
import { ApplyDialog } from "./ApplyDialog";
import { ChangeSetHistory } from "./ChangeSets";
import { ListingForm } from "./ListingForm";
import { LintList, PlanPanel } from "./PlanPanel";

/** Live lint of a listing being edited (debounced; offline rules only). */
export function useLint(listing: Listing | null, onError: (e: unknown) => void): Finding[] {
  const [findings, setFindings] = useState<Finding[]>([]);
  useEffect(() => {
    if (!listing) return;
    let stale = false;
    const timer = setTimeout(() => {
      api
        .listingLint(cleaned(listing))
        .then((f) => !stale && setFindings(f))
        .catch(onError);
    }, 150);
    return () => {
      stale = true;
      clearTimeout(timer);
    };
  }, [listing, onError]);
  return findings;
}

export function ListingPage(props: {
  workspaceId: string;
  env: EnvKind;
  onError: (e: unknown) => void;
}) {
  const { t } = useI18n();
  const { workspaceId, env, onError } = props;
  const doc = useListingDoc(workspaceId, env);
  const history = useListingHistory(workspaceId, env).data ?? [];
  const [draft, setDraft] = useState<EditableListing | null>(null);
  const [dirty, setDirty] = useState(false);
  const [plan, setPlan] = useState<PlanView | null>(null);
  const [busy, setBusy] = useState<"save" | "compare" | "validate" | null>(null);
  const [applying, setApplying] = useState(false);
  const findings = useLint(draft, onError);
  // A new comparison is brought into view: it appears below the long form.
  const planRef = useRef<HTMLDivElement>(null);
  useEffect(() => {
    if (plan) planRef.current?.scrollIntoView?.({ block: "start", behavior: "smooth" });
  }, [plan]);

  // The form starts from what the backend opened, and again when it opens something new
  // (a product created, the file saved) unless the seller is mid-edit.
  useEffect(() => {
    if (doc.data && !dirty) setDraft(complete(doc.data.listing));
  }, [doc.data, dirty]);

  if (doc.error) {
    return (
      <div className="page" data-testid="listing-page">
        <p className="banner error" role="alert">
          {doc.error.message}
        </p>
      </div>
    );
  }
  if (!doc.data || !draft) {
    return (
      <div className="page loading" aria-busy="true">
        {t("working")}
      </div>
    );
  }
  const d = doc.data;

  const edit = (l: EditableListing) => {
    setDraft(l);
    setDirty(true);
    setPlan(null);
  };

  const save = async () => {
    setBusy("save");
    try {
      await api.listingSave(workspaceId, env, cleaned(draft));
      setDirty(false);
      await doc.refetch();
    } catch (e) {
      onError(e);
    } finally {
      setBusy(null);
    }
  };

  const compare = async (validate: boolean) => {
    setBusy(validate ? "validate" : "compare");
    try {
      setPlan(await api.listingPlan(workspaceId, env, cleaned(draft), validate));
    } catch (e) {
      onError(e);
    } finally {
      setBusy(null);
    }
  };

  // The listing file for CI: written where the native dialog points, or read from there into
  // the form (linted at once, saved only when the seller saves).
  const exportFile = async () => {
    try {
      const path = await pickSaveToml(`${env}.listing.toml`, "Listing file");
      if (path) await api.listingExportFile(workspaceId, cleaned(draft), path);
    } catch (e) {
      onError(e);
    }
  };
  const importFile = async () => {
    try {
      const path = await pickOpenToml("Listing file");
      if (path) edit(complete(await api.listingImportFile(path)));
    } catch (e) {
      onError(e);
    }
  };

  const actions: [NonNullable<typeof busy>, TextKey, () => void][] = [
    ["save", "saveListing", save],
    ["compare", "compareAws", () => compare(false)],
    ["validate", "validateAws", () => compare(true)],
  ];
  const errors = [...(plan?.shape_errors ?? []), ...(plan?.validation?.errors ?? [])];
  const source = { file: "listingFromFile", aws: "listingFromAws", draft: "listingDraft" } as const;

  return (
    <div className="page" data-testid="listing-page" data-env={env}>
      <header className="page-head">
        <p className="kicker">{t("listingFile")}</p>
        <h1 data-testid="listing-title">{t("listingTitle", { env: t(env) })}</h1>
        <p className="muted">{t("listingLede")}</p>
        <p className={d.has_product ? "small muted" : "banner info"} data-testid="listing-source">
          {t(source[d.source])} <code className="small">{d.path}</code>
        </p>
        <div className="row gap">
          <button
            type="button"
            className="btn small"
            onClick={importFile}
            data-testid="listing-import"
          >
            {t("importListing")}
          </button>
          <button
            type="button"
            className="btn small"
            onClick={exportFile}
            data-testid="listing-export"
          >
            {t("exportListing")}
          </button>
          <span className="small muted">{t("listingFileHelp")}</span>
        </div>
      </header>
      <div className="listing-layout">
        <ListingForm
          listing={draft}
          findings={findings}
          errors={errors}
          standardEulaVersion={d.standard_eula_version}
          onChange={edit}
        />
        <aside className="listing-side">
          <section className="card" data-testid="listing-lint">
            <h2>{t("lintTitle")}</h2>
            <LintList findings={findings} compact />
          </section>
        </aside>
      </div>
      <div ref={planRef}>{plan && <PlanPanel view={plan} />}</div>
      <ChangeSetHistory workspaceId={workspaceId} env={env} records={history} onError={onError} />
      <div className="form-foot">
        <span className="small muted" data-testid="listing-save-state">
          {dirty ? t("listingUnsaved") : d.source === "file" ? t("listingSaved") : ""}
        </span>
        {actions.map(([id, label, run]) => (
          <button
            key={id}
            type="button"
            className="btn"
            disabled={busy !== null}
            onClick={run}
            data-testid={`listing-${id}`}
          >
            {busy === id ? t("working") : t(label)}
          </button>
        ))}
        <button
          type="button"
          className="btn primary"
          disabled={busy !== null}
          onClick={() => setApplying(true)}
          data-testid="listing-apply"
        >
          {d.has_product ? t("applyListing") : t("createFromNothing")}
        </button>
      </div>
      {applying && (
        <ApplyDialog
          workspaceId={workspaceId}
          env={env}
          listing={draft}
          kind={d.has_product ? "apply" : "create"}
          title={t("applyTitle", { env: t(env) })}
          onClose={() => setApplying(false)}
          onApplied={(a) => {
            if (a.outcome?.status.status === "SUCCEEDED") {
              setDirty(false);
              setPlan(null);
            }
          }}
        />
      )}
    </div>
  );
}
