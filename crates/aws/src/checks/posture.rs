//! Account posture (AWS's SaaS checklist, Security): the production account's root user, access
//! keys, CloudTrail, threat detection and KMS key rotation. PRODUCT.md calls these advice-grade:
//! a shortfall is a warning that links to its checklist item, except root access keys or a root
//! user without MFA, which AWS's reviewers treat as failures.

use super::CheckContext;
use crate::engine::{CheckDef, CheckFuture, Outcome};
use crate::marketplace::app_error;
use la_core::AppError;
use std::time::Duration;

pub static CHECKS: [CheckDef<CheckContext>; 5] = [
    CheckDef {
        id: "posture.root_account",
        actions: &["iam:GetAccountSummary"],
        needs_aws: true,
        run: root_account,
    },
    CheckDef {
        id: "posture.access_key_age",
        actions: &["iam:GenerateCredentialReport", "iam:GetCredentialReport"],
        needs_aws: true,
        run: access_key_age,
    },
    CheckDef {
        id: "posture.cloudtrail",
        actions: &["cloudtrail:DescribeTrails", "cloudtrail:GetTrailStatus"],
        needs_aws: true,
        run: cloudtrail,
    },
    CheckDef {
        id: "posture.threat_detection",
        actions: &["guardduty:ListDetectors", "guardduty:GetDetector"],
        needs_aws: true,
        run: threat_detection,
    },
    CheckDef {
        id: "posture.kms_rotation",
        actions: &[
            "kms:ListKeys",
            "kms:DescribeKey",
            "kms:GetKeyRotationStatus",
        ],
        needs_aws: true,
        run: kms_rotation,
    },
];

/// Access keys older than this should have been rotated (CIS AWS Foundations, 1.14).
pub const MAX_KEY_AGE_DAYS: i64 = 90;

/// The AWS config, or the outcome to give without calling: the sandbox is a Marketplace, not an
/// account with IAM users, trails or keys, so posture is skipped there rather than "cannot check".
fn sdk(ctx: &CheckContext) -> Result<Result<&aws_config::SdkConfig, Outcome>, AppError> {
    if ctx.settings.mode == la_core::model::EnvMode::Sandbox {
        return Ok(Err(Outcome::skipped(
            la_core::text!("the sandbox has no account posture to check; run this against the production account", "サンドボックスには確認するアカウントの設定がありません。本番アカウントに対して実行してください"),
        )));
    }
    ctx.sdk
        .as_ref()
        .map(Ok)
        .ok_or_else(|| AppError::invalid("this check needs AWS access"))
}

/// `sdk(ctx)`, returning the skip outcome from the calling check.
macro_rules! account_sdk {
    ($ctx:expr) => {
        match sdk($ctx)? {
            Ok(sdk) => sdk,
            Err(skip) => return Ok(skip),
        }
    };
}

fn root_account(ctx: &CheckContext) -> CheckFuture<'_> {
    Box::pin(async move {
        let out = aws_sdk_iam::Client::new(account_sdk!(ctx))
            .get_account_summary()
            .send()
            .await
            .map_err(|e| app_error("GetAccountSummary", &e))?;
        let map = out.summary_map().cloned().unwrap_or_default();
        let get = |k: &str| {
            map.iter()
                .find(|(key, _)| key.as_str() == k)
                .map(|(_, v)| *v)
        };
        let keys = get("AccountAccessKeysPresent");
        let mfa = get("AccountMFAEnabled");
        let o = match (keys, mfa) {
            (None, _) | (_, None) => Outcome::warn(
                la_core::text!("IAM's account summary does not say whether the root user has access keys and MFA", "IAM のアカウント概要からは、ルートユーザーのアクセスキーと MFA の有無が分かりません"),
                "Check the root user in the IAM console: no access keys, MFA on.",
                "IAM コンソールでルートユーザーを確認してください: アクセスキーなし、MFA 有効。",
            ),
            (Some(k), _) if k > 0 => Outcome::fail(
                la_core::text!("the root user has access keys", "ルートユーザーにアクセスキーがあります"),
                "Delete the root user's access keys; use IAM roles or users for programmatic access.",
                "ルートユーザーのアクセスキーを削除し、プログラムからのアクセスには IAM ロールまたはユーザーを使ってください。",
            ),
            (_, Some(0)) => Outcome::fail(
                la_core::text!("the root user has no MFA device", "ルートユーザーに MFA デバイスがありません"),
                "Enable MFA on the root user (a hardware or virtual device).",
                "ルートユーザーで MFA (ハードウェアまたは仮想デバイス) を有効にしてください。",
            ),
            _ => Outcome::pass(la_core::text!("the root user has no access keys and uses MFA", "ルートユーザーにアクセスキーはなく、MFA を使っています")),
        };
        Ok(o.evidence(
            "IAM account summary",
            "iam:GetAccountSummary",
            format!(
                "AccountAccessKeysPresent={}, AccountMFAEnabled={}",
                keys.map_or("absent".into(), |v| v.to_string()),
                mfa.map_or("absent".into(), |v| v.to_string())
            ),
        ))
    })
}

/// One active access key from the credential report.
#[derive(Debug, PartialEq)]
pub struct KeyAge {
    pub user: String,
    pub slot: u8,
    pub days: i64,
}

/// Active access keys and their age in days, from the credential report's CSV. Keys whose
/// rotation date is missing or unreadable are reported with age -1 (unknown).
pub fn active_keys(csv: &str, now: chrono::DateTime<chrono::Utc>) -> Result<Vec<KeyAge>, String> {
    let mut lines = csv.lines();
    let header: Vec<&str> = lines
        .next()
        .ok_or("the credential report is empty")?
        .split(',')
        .collect();
    let col = |name: &str| {
        header
            .iter()
            .position(|h| *h == name)
            .ok_or_else(|| format!("the credential report has no `{name}` column"))
    };
    let user = col("user")?;
    let slots = [
        (
            1u8,
            col("access_key_1_active")?,
            col("access_key_1_last_rotated")?,
        ),
        (
            2u8,
            col("access_key_2_active")?,
            col("access_key_2_last_rotated")?,
        ),
    ];
    let mut out = Vec::new();
    for line in lines.filter(|l| !l.trim().is_empty()) {
        let f: Vec<&str> = line.split(',').collect();
        for (slot, active, rotated) in slots {
            if f.get(active).copied() != Some("true") {
                continue;
            }
            let days = f
                .get(rotated)
                .and_then(|d| chrono::DateTime::parse_from_rfc3339(d).ok())
                .map_or(-1, |d| (now - d.with_timezone(&chrono::Utc)).num_days());
            out.push(KeyAge {
                user: f.get(user).copied().unwrap_or_default().to_string(),
                slot,
                days,
            });
        }
    }
    Ok(out)
}

fn access_key_age(ctx: &CheckContext) -> CheckFuture<'_> {
    Box::pin(async move {
        let iam = aws_sdk_iam::Client::new(account_sdk!(ctx));
        // The report is generated asynchronously; AWS usually has it within seconds.
        let mut ready = false;
        for _ in 0..20 {
            let g = iam
                .generate_credential_report()
                .send()
                .await
                .map_err(|e| app_error("GenerateCredentialReport", &e))?;
            if g.state().map(|s| s.as_str()) == Some("COMPLETE") {
                ready = true;
                break;
            }
            tokio::time::sleep(Duration::from_millis(500)).await;
        }
        if !ready {
            return Err(AppError::new(
                la_core::ErrorCode::Unreachable,
                "GenerateCredentialReport: the report was not ready after 10 s; run the check again",
            ));
        }
        let report = iam
            .get_credential_report()
            .send()
            .await
            .map_err(|e| app_error("GetCredentialReport", &e))?;
        let csv = report
            .content()
            .map(|b| String::from_utf8_lossy(b.as_ref()).into_owned())
            .unwrap_or_default();
        let keys = active_keys(&csv, chrono::Utc::now()).map_err(AppError::invalid)?;
        let old: Vec<&KeyAge> = keys.iter().filter(|k| k.days > MAX_KEY_AGE_DAYS).collect();
        let listing = keys
            .iter()
            .map(|k| {
                let age = if k.days < 0 {
                    "age unknown".to_string()
                } else {
                    format!("{} days", k.days)
                };
                format!("{} key {}: {age}", k.user, k.slot)
            })
            .collect::<Vec<_>>()
            .join("\n");
        let o = if !old.is_empty() {
            Outcome::warn(
                la_core::text!(
                    "{} of {} active access keys are older than {MAX_KEY_AGE_DAYS} days ({})",
                    "有効なアクセスキー {1} 件のうち {0} 件が {MAX_KEY_AGE_DAYS} 日より古くなっています ({2})",
                    old.len(),
                    keys.len(),
                    old.iter()
                        .map(|k| format!("{} key {}", k.user, k.slot))
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
                "Rotate or delete old access keys; give workloads IAM roles instead of long-lived keys.",
                "古いアクセスキーをローテーションまたは削除し、ワークロードには長期キーではなく IAM ロールを使ってください。",
            )
        } else if keys.is_empty() {
            Outcome::pass(la_core::text!(
                "no IAM user has an active access key",
                "有効なアクセスキーを持つ IAM ユーザーはいません"
            ))
        } else {
            Outcome::pass(la_core::text!(
                "{} active access keys, none older than {MAX_KEY_AGE_DAYS} days",
                "有効なアクセスキー {} 件、{MAX_KEY_AGE_DAYS} 日より古いものはありません",
                keys.len()
            ))
        };
        Ok(o.details(listing).evidence(
            "IAM credential report",
            "iam:GetCredentialReport",
            format!(
                "{} rows, {} active access keys",
                csv.lines().count().saturating_sub(1),
                keys.len()
            ),
        ))
    })
}

fn cloudtrail(ctx: &CheckContext) -> CheckFuture<'_> {
    Box::pin(async move {
        let ct = aws_sdk_cloudtrail::Client::new(account_sdk!(ctx));
        let trails = ct
            .describe_trails()
            .include_shadow_trails(true)
            .send()
            .await
            .map_err(|e| app_error("DescribeTrails", &e))?;
        let mut seen = Vec::new();
        let mut logging_multi = None;
        for t in trails.trail_list() {
            let name = t.trail_arn().or(t.name()).unwrap_or_default().to_string();
            let multi = t.is_multi_region_trail().unwrap_or(false);
            let status = ct
                .get_trail_status()
                .name(&name)
                .send()
                .await
                .map_err(|e| app_error("GetTrailStatus", &e))?;
            let logging = status.is_logging().unwrap_or(false);
            seen.push(format!(
                "{name}: {}, {}",
                if multi {
                    "multi-region"
                } else {
                    "single region"
                },
                if logging { "logging" } else { "not logging" }
            ));
            if multi && logging && logging_multi.is_none() {
                logging_multi = Some(name);
            }
        }
        let o = match (&logging_multi, seen.is_empty()) {
            (Some(name), _) => Outcome::pass(la_core::text!("multi-region trail {name} is logging", "マルチリージョンの証跡 {name} がログを記録しています")),
            (None, true) => Outcome::warn(
                la_core::text!("the account has no CloudTrail trail", "アカウントに CloudTrail の証跡がありません"),
                "Create a multi-region trail (CloudTrail → Trails → Create) and start logging.",
                "マルチリージョンの証跡を作成し (CloudTrail → 証跡 → 作成)、ログ記録を開始してください。",
            ),
            (None, false) => Outcome::warn(
                la_core::text!("no multi-region trail is logging", "ログを記録しているマルチリージョンの証跡がありません"),
                "Make a trail multi-region and start its logging, so every region's activity is recorded.",
                "証跡をマルチリージョンにしてログ記録を開始し、全リージョンのアクティビティを記録してください。",
            ),
        };
        Ok(o.details(seen.join("\n")).evidence(
            "CloudTrail trails",
            "cloudtrail:DescribeTrails + cloudtrail:GetTrailStatus",
            if seen.is_empty() {
                "no trails".to_string()
            } else {
                seen.join("; ")
            },
        ))
    })
}

fn threat_detection(ctx: &CheckContext) -> CheckFuture<'_> {
    Box::pin(async move {
        let sdk = account_sdk!(ctx);
        let region = sdk.region().map(|r| r.to_string()).unwrap_or_default();
        let gd = aws_sdk_guardduty::Client::new(sdk);
        let ids = gd
            .list_detectors()
            .send()
            .await
            .map_err(|e| app_error("ListDetectors", &e))?
            .detector_ids()
            .to_vec();
        let mut states = Vec::new();
        for id in &ids {
            let d = gd
                .get_detector()
                .detector_id(id)
                .send()
                .await
                .map_err(|e| app_error("GetDetector", &e))?;
            states.push((
                id.clone(),
                d.status()
                    .map(|s| s.as_str().to_string())
                    .unwrap_or_default(),
            ));
        }
        let enabled = states.iter().find(|(_, s)| s == "ENABLED");
        let o = match enabled {
            Some((id, _)) => Outcome::pass(la_core::text!("GuardDuty detector {id} is enabled in {region}", "GuardDuty の検出器 {id} が {region} で有効です")),
            None if states.is_empty() => Outcome::warn(
                la_core::text!("GuardDuty has no detector in {region}", "{region} に GuardDuty の検出器がありません"),
                "Enable GuardDuty in the regions the SaaS runs in (or Security Hub), and plan incident-response exercises.",
                "SaaS が動くリージョンで GuardDuty (または Security Hub) を有効にし、インシデント対応訓練を計画してください。",
            ),
            None => Outcome::warn(
                la_core::text!("GuardDuty's detector in {region} is suspended", "{region} の GuardDuty の検出器は停止中です"),
                "Resume the GuardDuty detector (GuardDuty → Settings).",
                "GuardDuty の検出器を再開してください (GuardDuty → 設定)。",
            ),
        };
        Ok(o.evidence(
            "GuardDuty detectors",
            format!("guardduty:ListDetectors + guardduty:GetDetector ({region})"),
            states
                .iter()
                .map(|(id, s)| format!("{id}: {s}"))
                .collect::<Vec<_>>()
                .join("; "),
        ))
    })
}

fn kms_rotation(ctx: &CheckContext) -> CheckFuture<'_> {
    Box::pin(async move {
        use aws_sdk_kms::types::{KeyManagerType, KeySpec, KeyState, OriginType};
        let kms = aws_sdk_kms::Client::new(account_sdk!(ctx));
        let mut ids = Vec::new();
        let mut marker = None;
        loop {
            let page = kms
                .list_keys()
                .set_marker(marker.take())
                .send()
                .await
                .map_err(|e| app_error("ListKeys", &e))?;
            ids.extend(
                page.keys()
                    .iter()
                    .filter_map(|k| k.key_id().map(str::to_string)),
            );
            match page.next_marker() {
                Some(m) if page.truncated() => marker = Some(m.to_string()),
                _ => break,
            }
        }
        // Automatic rotation exists for enabled, customer-managed symmetric encryption keys
        // whose key material AWS KMS generated. AWS cannot rotate imported key material (Origin
        // EXTERNAL) or keys in a custom key store (AWS_CLOUDHSM, EXTERNAL_KEY_STORE)
        // automatically (EnableKeyRotation API reference): those are listed, not warned about.
        let mut rotating = Vec::new();
        let mut not_rotating = Vec::new();
        let mut manual = Vec::new();
        for id in &ids {
            let meta = kms
                .describe_key()
                .key_id(id)
                .send()
                .await
                .map_err(|e| app_error("DescribeKey", &e))?;
            let Some(m) = meta.key_metadata() else {
                continue;
            };
            if m.key_manager() != Some(&KeyManagerType::Customer)
                || m.key_state() != Some(&KeyState::Enabled)
                || m.key_spec()
                    .is_some_and(|s| *s != KeySpec::SymmetricDefault)
            {
                continue;
            }
            let store = m.custom_key_store_id().filter(|s| !s.is_empty());
            match (m.origin(), store) {
                (Some(OriginType::External), _) => {
                    manual.push(format!("{id} (imported key material)"));
                    continue;
                }
                (Some(o @ (OriginType::AwsCloudhsm | OriginType::ExternalKeyStore)), _) => {
                    manual.push(format!("{id} (custom key store, {})", o.as_str()));
                    continue;
                }
                (_, Some(store)) => {
                    manual.push(format!("{id} (custom key store {store})"));
                    continue;
                }
                _ => {}
            }
            let status = kms
                .get_key_rotation_status()
                .key_id(id)
                .send()
                .await
                .map_err(|e| app_error("GetKeyRotationStatus", &e))?;
            if status.key_rotation_enabled() {
                rotating.push(id.clone());
            } else {
                not_rotating.push(id.clone());
            }
        }
        let (manual_note, manual_ja) = if manual.is_empty() {
            (String::new(), String::new())
        } else {
            (
                format!(
                    "; {} key(s) AWS cannot rotate automatically, rotated by hand: {}",
                    manual.len(),
                    manual.join(", ")
                ),
                format!(
                    "。AWS が自動でローテーションできず手動でローテーションするキー {} 件: {}",
                    manual.len(),
                    manual.join(", ")
                ),
            )
        };
        let o = if !not_rotating.is_empty() {
            Outcome::warn(
                la_core::text!(
                    "{} of {} customer-managed keys do not rotate: {}{manual_note}",
                    "カスタマー管理キー {1} 件のうち {0} 件がローテーションされません: {2}{manual_ja}",
                    not_rotating.len(),
                    not_rotating.len() + rotating.len(),
                    not_rotating.join(", ")
                ),
                "Turn on automatic rotation for these keys (KMS → key → Key rotation). Keys with imported material or in a custom key store are rotated by hand (new key material or a new key).",
                "これらのキーで自動ローテーションを有効にしてください (KMS → キー → キーのローテーション)。インポートしたキーマテリアルやカスタムキーストアのキーは手動でローテーションします (新しいキーマテリアルまたは新しいキー)。",
            )
        } else if rotating.is_empty() {
            Outcome::pass(la_core::text!(
                "no enabled customer-managed symmetric key to rotate automatically ({} keys in all){manual_note}",
                "自動でローテーションする有効なカスタマー管理の対称キーはありません (全 {} 件){manual_ja}",
                ids.len()
            ))
        } else {
            Outcome::pass(la_core::text!(
                "all {} customer-managed keys that AWS can rotate do so automatically{manual_note}",
                "AWS がローテーションできるカスタマー管理キー {} 件はすべて自動でローテーションされます{manual_ja}",
                rotating.len()
            ))
        };
        Ok(o.evidence(
            "KMS key rotation",
            "kms:ListKeys + kms:DescribeKey + kms:GetKeyRotationStatus",
            format!(
                "rotating: [{}]; not rotating: [{}]; manual rotation (imported or custom key store): [{}]",
                rotating.join(", "),
                not_rotating.join(", "),
                manual.join(", ")
            ),
        ))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn credential_report_keys_and_ages() {
        let now = chrono::DateTime::parse_from_rfc3339("2026-11-23T00:00:00+00:00")
            .expect("ok")
            .with_timezone(&chrono::Utc);
        let csv = "user,arn,access_key_1_active,access_key_1_last_rotated,access_key_2_active,access_key_2_last_rotated\n\
                   old,arn:a,true,2026-01-01T00:00:00+00:00,false,N/A\n\
                   new,arn:b,true,2026-11-01T00:00:00+00:00,true,N/A\n\
                   none,arn:c,false,N/A,false,N/A\n";
        let keys = active_keys(csv, now).expect("ok");
        assert_eq!(
            keys,
            vec![
                KeyAge {
                    user: "old".into(),
                    slot: 1,
                    days: 326
                },
                KeyAge {
                    user: "new".into(),
                    slot: 1,
                    days: 22
                },
                KeyAge {
                    user: "new".into(),
                    slot: 2,
                    days: -1
                },
            ]
        );
        assert!(active_keys("user,arn\n", now)
            .expect_err("fails")
            .contains("access_key_1_active"));
        assert!(active_keys("", now).is_err());
    }
}
