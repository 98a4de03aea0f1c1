//! Identity: who the credentials resolve to.

use super::CheckContext;
use crate::engine::{CheckDef, CheckFuture, Outcome};
use crate::marketplace::app_error;
use la_core::AppError;

pub static CHECKS: [CheckDef<CheckContext>; 1] = [CheckDef {
    id: "identity.caller",
    actions: &["sts:GetCallerIdentity"],
    needs_aws: true,
    run: caller,
}];

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
                format!("the credentials are {arn}; no seller account is set to compare with"),
                "Enter the seller account ID in the environment settings.",
                "環境設定にセラーアカウント ID を入力してください。",
            )
        } else if &account == expected {
            Outcome::pass(format!(
                "the credentials are {arn} in seller account {account}"
            ))
        } else {
            Outcome::fail(
                format!("the credentials belong to account {account}, not the seller account {expected}"),
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
