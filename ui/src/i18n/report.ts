// The reviewer report: the overview card and the export dialog.
// English has the plural forms `one` and `other`; Japanese has none, so its messages are strings.
import type { Messages } from "./types";

export const en = {
  reportCardTitle: "Reviewer report",
  reportCardBody:
    "Export the checklist with statuses, evidence hashes, check results and an integrity digest for a reviewer, or preview it here.",
  reportOpen: "Export report…",
  reportTitle: "Export the reviewer report",
  reportIntro:
    "The report holds every item's status, who changed it and when, notes, waivers, evidence SHA-256 hashes and the latest check results. Secrets are never included.",
  reportFormat: "Format",
  reportFormat_html: "HTML (self-contained, prints well)",
  reportFormat_pdf: "PDF (contents, page numbers)",
  reportFormat_md: "Markdown",
  reportFormat_json: "JSON (with integrity digest)",
  reportFormat_csv: "CSV (spreadsheet)",
  reportZip: "Zip archive",
  reportLanguage: "Report language",
  reportScope: "Scope",
  reportScope_workspace: "Whole workspace",
  reportScope_staging: "Staging environment only",
  reportScope_production: "Production environment only",
  reportWithEvidence: "Include the evidence files (writes a zip with SHA256SUMS)",
  reportPreview: "Preview",
  reportPreparing: "Preparing…",
  reportPreviewTitle: "Report preview",
  reportExport: "Export…",
  reportExporting: "Exporting…",
  reportWritten: "Saved {path} ({size}).",
  reportEvidenceFiles: {
    one: "{n} evidence file included.",
    other: "{n} evidence files included.",
  },
  reportDigest: "SHA-256 digest",
  reportOpenFile: "Open the file",
};

export const ja: Messages<typeof en> = {
  reportCardTitle: "審査用レポート",
  reportCardBody:
    "状態、証跡のハッシュ、チェック結果、完全性ダイジェストを含むチェックリストを審査担当者向けにエクスポートするか、ここでプレビューします。",
  reportOpen: "レポートをエクスポート…",
  reportTitle: "審査用レポートのエクスポート",
  reportIntro:
    "レポートには、各項目の状態、変更者と日時、メモ、免除、証跡の SHA-256 ハッシュ、最新のチェック結果が含まれます。秘密情報は一切含まれません。",
  reportFormat: "形式",
  reportFormat_html: "HTML (単一ファイル、印刷向け)",
  reportFormat_pdf: "PDF (目次、ページ番号付き)",
  reportFormat_md: "Markdown",
  reportFormat_json: "JSON (完全性ダイジェスト付き)",
  reportFormat_csv: "CSV (表計算)",
  reportZip: "Zip アーカイブ",
  reportLanguage: "レポートの言語",
  reportScope: "対象",
  reportScope_workspace: "ワークスペース全体",
  reportScope_staging: "ステージング環境のみ",
  reportScope_production: "本番環境のみ",
  reportWithEvidence: "証跡ファイルを含める (SHA256SUMS 付きの zip を作成)",
  reportPreview: "プレビュー",
  reportPreparing: "準備中…",
  reportPreviewTitle: "レポートのプレビュー",
  reportExport: "エクスポート…",
  reportExporting: "エクスポート中…",
  reportWritten: "{path} に保存しました ({size})。",
  reportEvidenceFiles: "証跡ファイル {n} 件を含めました。",
  reportDigest: "SHA-256 ダイジェスト",
  reportOpenFile: "ファイルを開く",
};
