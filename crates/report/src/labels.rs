//! The report's own words in English and Japanese (checklist titles come from the checklist).

/// The language a report is written in: the app's own `Language` (one definition for the UI's
/// preference, the report request and the CLI's `--lang`), with the report's words on it.
pub use la_core::model::Language as Lang;

/// The report's labels in a language.
pub trait Words: Copy {
    /// The label for `key`; an unknown key returns itself so a gap shows rather than hides.
    fn t(self, key: &'static str) -> &'static str;
    /// The label of a value of some kind, e.g. `("status", "passed")`.
    fn value(self, kind: &str, value: &str) -> &'static str;
}

impl Words for Lang {
    fn t(self, key: &'static str) -> &'static str {
        let Some((en, ja)) = TABLE.iter().find(|(k, _, _)| *k == key).map(|e| (e.1, e.2)) else {
            return key;
        };
        match self {
            Lang::En => en,
            Lang::Ja => ja,
        }
    }

    fn value(self, kind: &str, value: &str) -> &'static str {
        let key = VALUES
            .iter()
            .find(|(k, v, _, _)| *k == kind && *v == value)
            .map(|e| match self {
                Lang::En => e.2,
                Lang::Ja => e.3,
            });
        key.unwrap_or("?")
    }
}

const TABLE: &[(&str, &str, &str)] = &[
    ("title", "AWS Marketplace listing report", "AWS Marketplace 掲載レポート"),
    ("product", "Product", "製品"),
    ("workspace", "Workspace", "ワークスペース"),
    ("demo", "demo workspace", "デモ用ワークスペース"),
    ("scope", "Scope", "対象"),
    ("scope_workspace", "Whole workspace", "ワークスペース全体"),
    ("generated", "Generated", "作成日時"),
    ("generator", "Generator", "作成ツール"),
    ("readiness", "Overall readiness", "全体の準備状況"),
    ("items_done", "{done} of {total} items done ({percent}%)", "{total} 項目中 {done} 項目完了 ({percent}%)"),
    ("digest", "Integrity digest (SHA-256)", "完全性ダイジェスト (SHA-256)"),
    (
        "digest_note",
        "The JSON export of this report carries the same digest; check it with `listing-assistant report verify FILE.json`.",
        "このレポートの JSON エクスポートには同じダイジェストが含まれます。`listing-assistant report verify FILE.json` で検証できます。",
    ),
    ("signer", "Signed by (Ed25519 key fingerprint)", "署名者 (Ed25519 鍵のフィンガープリント)"),
    ("unsigned", "Not signed (preview)", "未署名 (プレビュー)"),
    (
        "signer_note",
        "The JSON export carries this key's signature; `listing-assistant report verify --trust \"FINGERPRINT\" FILE.json` checks that this key signed it and nothing changed since.",
        "JSON エクスポートにはこの鍵による署名が含まれます。`listing-assistant report verify --trust \"FINGERPRINT\" FILE.json` で、この鍵が署名し、その後変更されていないことを確認できます。",
    ),
    ("environments", "Environments", "環境"),
    ("seller_account", "Seller account", "セラーアカウント"),
    ("mode", "Mode", "モード"),
    ("region", "Region", "リージョン"),
    ("product_id", "Product ID", "製品 ID"),
    ("product_code", "Product code", "製品コード"),
    ("pricing_model", "Pricing model", "料金モデル"),
    ("integration_style", "Integration style", "連携方式"),
    ("fulfillment_url", "Fulfillment URL", "フルフィルメント URL"),
    ("credentials", "Credentials", "認証情報"),
    ("test_buyers", "Test buyers", "テスト購入者"),
    ("contents", "Contents", "目次"),
    ("summary", "Summary", "概要"),
    ("phase", "Phase", "フェーズ"),
    ("step", "Step", "ステップ"),
    ("done", "Done", "完了"),
    ("total", "Total", "合計"),
    ("progress", "Progress", "進捗"),
    ("progress_chart", "Progress per phase", "フェーズ別の進捗"),
    ("item", "Item", "項目"),
    ("status", "Status", "状態"),
    ("kind", "Kind", "種類"),
    ("category", "Category", "カテゴリー"),
    ("updated", "Last change", "最終更新"),
    ("by", "by", "更新者:"),
    ("note", "Note", "メモ"),
    ("waiver_reason", "Waiver reason", "免除の理由"),
    ("history", "History", "履歴"),
    ("evidence", "Evidence", "証跡"),
    ("no_evidence", "No evidence files.", "証跡ファイルはありません。"),
    ("file", "File", "ファイル"),
    ("size", "Size", "サイズ"),
    ("added", "Added", "追加"),
    ("latest_check", "Latest check", "最新のチェック結果"),
    ("advice", "What to do", "対処方法"),
    ("details", "Details", "詳細"),
    ("run", "run", "実行"),
    ("purchases", "Test purchases", "テスト購入"),
    ("none_recorded", "None recorded.", "記録はありません。"),
    ("malformed", "Malformed", "不正な形式"),
    ("buyer", "Buyer account", "購入者アカウント"),
    ("tester", "Tester", "テスター"),
    ("timeline", "Timeline", "タイムライン"),
    ("scenarios", "Confirmation scenarios", "確認シナリオ"),
    ("verdict", "Verdict", "判定"),
    ("when", "When", "日時"),
    ("who", "Who", "担当者"),
    ("source", "Source", "発生元"),
    ("what", "What", "内容"),
    ("page_of", "Page {n} of {m}", "{n} / {m} ページ"),
    ("not_recorded", "—", "—"),
];

/// Labels of enumerated values: (kind, value, English, Japanese).
const VALUES: &[(&str, &str, &str, &str)] = &[
    ("status", "not_started", "Not started", "未着手"),
    ("status", "in_progress", "In progress", "対応中"),
    ("status", "passed", "Passed", "合格"),
    ("status", "failed", "Failed", "不合格"),
    ("status", "waived", "Waived", "免除"),
    ("status", "not_applicable", "Not applicable", "対象外"),
    ("kind", "automated", "Automated", "自動"),
    ("kind", "assisted", "Assisted", "支援"),
    ("kind", "attested", "Attested", "自己申告"),
    ("check", "pass", "Pass", "合格"),
    ("check", "fail", "Fail", "不合格"),
    ("check", "warn", "Warning", "警告"),
    ("check", "skipped", "Skipped", "スキップ"),
    ("check", "error", "Could not check", "チェックできません"),
    ("verdict", "ready", "Ready for review", "審査に提出可能"),
    ("verdict", "failing", "Items failing", "不合格の項目あり"),
    ("verdict", "in_progress", "In progress", "対応中"),
    ("env", "none", "Account-wide", "アカウント全体"),
    ("env", "staging", "Staging", "ステージング"),
    ("env", "production", "Production", "本番"),
    (
        "mode",
        "sandbox",
        "Marketplace sandbox",
        "Marketplace サンドボックス",
    ),
    ("mode", "real", "AWS", "AWS"),
    (
        "credentials",
        "default_chain",
        "Default credential chain",
        "デフォルトの認証情報チェーン",
    ),
    (
        "credentials",
        "profile",
        "Named profile",
        "名前付きプロファイル",
    ),
    (
        "credentials",
        "assume_role",
        "Assumed role",
        "ロールの引き受け",
    ),
    (
        "credentials",
        "access_keys",
        "Access keys in the OS keyring",
        "OS のキーリング内のアクセスキー",
    ),
    (
        "pricing",
        "subscription",
        "Subscription",
        "サブスクリプション",
    ),
    ("pricing", "contract", "Contract", "契約"),
    (
        "pricing",
        "contract_with_consumption",
        "Contract with consumption",
        "従量課金付き契約",
    ),
    (
        "integration",
        "legacy",
        "Legacy (CustomerIdentifier)",
        "従来方式 (CustomerIdentifier)",
    ),
    (
        "integration",
        "concurrent_agreements",
        "Concurrent agreements (2026)",
        "同時契約方式 (2026)",
    ),
    ("source", "user", "person", "担当者"),
    ("source", "check", "check", "チェック"),
    ("source", "demo", "demo", "デモ"),
    ("scenario", "passed", "Passed", "合格"),
    ("scenario", "failed", "Failed", "不合格"),
    ("scenario", "not_run", "Not run", "未実施"),
];

/// `{name}` placeholders filled in order of `vars`.
pub fn fill(template: &str, vars: &[(&str, String)]) -> String {
    let mut s = template.to_string();
    for (k, v) in vars {
        s = s.replace(&format!("{{{k}}}"), v);
    }
    s
}

/// `2026-11-23T20:27:26.123Z` → `2026-11-23 20:27 UTC` (unparseable text is shown as is).
pub fn when(iso: &str) -> String {
    match chrono::DateTime::parse_from_rfc3339(iso) {
        Ok(t) => t
            .with_timezone(&chrono::Utc)
            .format("%Y-%m-%d %H:%M UTC")
            .to_string(),
        Err(_) => iso.to_string(),
    }
}

/// A byte count for people: 1 234 B, 12.3 KiB, 4.5 MiB.
pub fn size(bytes: u64) -> String {
    if bytes < 1024 {
        format!("{bytes} B")
    } else if bytes < 1024 * 1024 {
        format!("{:.1} KiB", bytes as f64 / 1024.0)
    } else {
        format!("{:.1} MiB", bytes as f64 / 1024.0 / 1024.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_label_has_both_languages() {
        for (k, en, ja) in TABLE {
            assert!(!en.is_empty() && !ja.is_empty(), "{k}");
        }
        for (k, v, en, ja) in VALUES {
            assert!(!en.is_empty() && !ja.is_empty(), "{k}.{v}");
        }
    }
}
