//! Identity: who the credentials resolve to.

use super::CheckContext;
use crate::engine::{CheckDef, CheckFuture, Outcome};
use crate::marketplace::app_error;
use la_core::model::PricingModel;
use la_core::AppError;

pub static CHECKS: [CheckDef<CheckContext>; 2] = [
    CheckDef {
        id: "identity.caller",
        actions: &["sts:GetCallerIdentity"],
        needs_aws: true,
        run: caller,
    },
    CheckDef {
        id: "identity.permissions",
        actions: &["iam:SimulatePrincipalPolicy"],
        needs_aws: true,
        run: permissions,
    },
];

/// The Marketplace actions a SaaS of this pricing model calls: ResolveCustomer always,
/// GetEntitlements for contracts, BatchMeterUsage where usage is metered.
pub fn saas_actions(pricing: PricingModel) -> Vec<&'static str> {
    let mut out = vec!["aws-marketplace:ResolveCustomer"];
    if pricing != PricingModel::Subscription {
        out.push("aws-marketplace:GetEntitlements");
    }
    if pricing != PricingModel::Contract {
        out.push("aws-marketplace:BatchMeterUsage");
    }
    out
}

/// IAM's policy simulator on the SaaS's role: may it call what its pricing model needs?
fn permissions(ctx: &CheckContext) -> CheckFuture<'_> {
    Box::pin(async move {
        let role = &ctx.settings.saas_role_arn;
        if role.is_empty() {
            return Ok(Outcome::skipped(la_core::text!(
                "no SaaS role ARN is set for this environment",
                "この環境には SaaS ロールの ARN が設定されていません"
            ))
            .advice(
                "Enter the ARN of the IAM role your SaaS calls the Marketplace APIs with.",
                "SaaS が Marketplace API の呼び出しに使う IAM ロールの ARN を入力してください。",
            ));
        }
        let sdk = ctx
            .sdk
            .as_ref()
            .ok_or_else(|| AppError::invalid("this check needs AWS access"))?;
        let actions = saas_actions(ctx.settings.pricing_model);
        let out = match aws_sdk_iam::Client::new(sdk)
            .simulate_principal_policy()
            .policy_source_arn(role)
            .set_action_names(Some(actions.iter().map(|a| a.to_string()).collect()))
            .send()
            .await
        {
            Ok(o) => o,
            Err(e) => {
                let err = app_error("SimulatePrincipalPolicy", &e);
                if err.is_aws("NoSuchEntity") {
                    return Ok(Outcome::fail(
                        la_core::text!(
                            "the SaaS role {role} does not exist in this account",
                            "SaaS ロール {role} はこのアカウントに存在しません"
                        ),
                        "Check the SaaS role ARN in the environment settings (account and name).",
                        "環境設定の SaaS ロール ARN (アカウントと名前) を確認してください。",
                    ));
                }
                return Err(err);
            }
        };
        let decisions: Vec<(String, String)> = out
            .evaluation_results()
            .iter()
            .map(|r| {
                (
                    r.eval_action_name().to_string(),
                    r.eval_decision().as_str().to_string(),
                )
            })
            .collect();
        let denied: Vec<&str> = actions
            .iter()
            .copied()
            .filter(|a| {
                !decisions
                    .iter()
                    .any(|(name, d)| name == a && d == "allowed")
            })
            .collect();
        let o = if denied.is_empty() {
            Outcome::pass(la_core::text!(
                "{role} may call {}",
                "{role} は {} を呼び出せます",
                actions.join(", ")
            ))
        } else {
            Outcome::fail(
                la_core::text!("{role} may not call {}", "{role} は {} を呼び出せません", denied.join(", ")),
                "Allow these actions in the role's policy (AWS's managed policy AWSMarketplaceMeteringFullAccess covers metering).",
                "ロールのポリシーでこれらのアクションを許可してください (計測は AWS 管理ポリシー AWSMarketplaceMeteringFullAccess で許可できます)。",
            )
        };
        Ok(o.evidence(
            "IAM policy simulation",
            format!(
                "iam:SimulatePrincipalPolicy {role} [{}]",
                actions.join(", ")
            ),
            decisions
                .iter()
                .map(|(a, d)| format!("{a}: {d}"))
                .collect::<Vec<_>>()
                .join("; "),
        ))
    })
}

/// STS GetCallerIdentity: the account and ARN the environment's credentials resolve to.
pub async fn caller_identity(sdk: &aws_config::SdkConfig) -> Result<(String, String), AppError> {
    let out = aws_sdk_sts::Client::new(sdk)
        .get_caller_identity()
        .send()
        .await
        .map_err(|e| app_error("GetCallerIdentity", &e))?;
    Ok((
        out.account().unwrap_or_default().to_string(),
        out.arn().unwrap_or_default().to_string(),
    ))
}

fn caller(ctx: &CheckContext) -> CheckFuture<'_> {
    Box::pin(async move {
        let sdk = ctx
            .sdk
            .as_ref()
            .ok_or_else(|| AppError::invalid("this check needs AWS access"))?;
        let (account, arn) = caller_identity(sdk).await?;
        let expected = &ctx.settings.seller_account_id;
        let o = if expected.is_empty() {
            Outcome::warn(
                la_core::text!(
                    "the credentials are {arn}; no seller account is set to compare with",
                    "認証情報は {arn} です。比較するセラーアカウントが設定されていません"
                ),
                "Enter the seller account ID in the environment settings.",
                "環境設定にセラーアカウント ID を入力してください。",
            )
        } else if &account == expected {
            Outcome::pass(la_core::text!(
                "the credentials are {arn} in seller account {account}",
                "認証情報はセラーアカウント {account} の {arn} です",
            ))
        } else {
            Outcome::fail(
                la_core::text!("the credentials belong to account {account}, not the seller account {expected}", "認証情報はセラーアカウント {expected} ではなくアカウント {account} のものです"),
                "Use credentials (profile or role) of the AWS account registered as the seller.",
                "セラーとして登録した AWS アカウントの認証情報 (プロファイルまたはロール) を使ってください。",
            )
        };
        Ok(o.evidence(
            "GetCallerIdentity",
            "sts:GetCallerIdentity",
            format!("Account {account}, Arn {arn}"),
        ))
    })
}
