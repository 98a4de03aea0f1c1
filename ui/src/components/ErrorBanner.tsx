import { useI18n } from "../i18n";

export function ErrorBanner(props: { message: string; onDismiss: () => void }) {
  const { t } = useI18n();
  return (
    <div className="banner error" role="alert" data-testid="error-banner">
      <strong>{t("errorTitle")}:</strong> <span>{props.message}</span>
      <button type="button" className="btn ghost small" onClick={props.onDismiss}>
        {t("dismiss")}
      </button>
    </div>
  );
}
