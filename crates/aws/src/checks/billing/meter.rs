//! `billing.meter_usage`: which record this app may send, and what the answer means.
//!
//! # Why the check only ever sends into an hour the SaaS's own record already holds
//!
//! AWS keeps one metering record per customer, dimension and hour. A later record for the same
//! customer, dimension and hour with a *different quantity* comes back `DuplicateRecord` and is
//! not billed; an identical record is idempotent (the API reference: "Identical requests are
//! idempotent and can be retried with the same records or a subset of records"; the
//! UsageRecordResult reference: "DuplicateRecord … A previously metered UsageRecord had the same
//! customer, dimension, and time, but a different quantity"). So any record this app sends into
//! an hour the SaaS has not metered yet — even quantity 0, even at the oldest hour AWS still
//! accepts (the SaaS may be retrying that hour) — can turn the SaaS's own record for that hour
//! into an unbilled DuplicateRecord. There is no dry run for BatchMeterUsage.
//!
//! The one hour that cannot be taken from the SaaS is an hour it already took. CloudTrail logs
//! every BatchMeterUsage call with its request parameters (the usage records: customer,
//! dimension, timestamp, quantity, and LicenseArn or ProductCode) and its response elements
//! (each record's Status) — AWS's "Logging AWS Marketplace Metering API calls with AWS
//! CloudTrail" page shows that entry. The check therefore:
//!
//! 1. reads the SaaS's BatchMeterUsage calls from CloudTrail (this app's own access keys
//!    excluded);
//! 2. picks the newest record for the test buyer whose Status was `Success`, still inside the
//!    acceptance window with a margin;
//! 3. sends **quantity 0 with that record's exact customer fields, dimension and timestamp**,
//!    and `LicenseArn` in the record (no request-level ProductCode) when the SaaS's record
//!    carried one — the concurrent-agreements form — or the SaaS's ProductCode otherwise.
//!
//! Whatever AWS's de-duplication key is (the hour, or the exact timestamp), that record is
//! harmless: in the hour the SaaS already holds, a different quantity is a DuplicateRecord (not
//! billed) and an equal one (the SaaS metered 0) is idempotent; were the key the exact second,
//! a zero-quantity record bills nothing and no later SaaS record shares its second. The SaaS can
//! no longer change that hour's quantity anyway: its own record already fixed it.
//!
//! With no such record (the SaaS has not metered the test buyer recently, or CloudTrail has not
//! shown it yet — it can lag by about 15 minutes) the check sends nothing and is skipped, saying
//! why. Records the SaaS sent that AWS answered `CustomerNotSubscribed`, or products on
//! concurrent agreements metered without a LicenseArn, are verdicts on their own, read from
//! CloudTrail without sending anything.

use crate::engine::Outcome;
use la_core::model::IntegrationStyle;
use serde_json::Value;

/// BatchMeterUsage takes records up to 6 hours old (the API reference; the 2026 SDK model says
/// 24): keep well inside the strictest reading so the record is not refused on arrival.
pub const MAX_AGE_SECS: i64 = 6 * 3600 - 30 * 60;
/// Clocks drift; a SaaS record a few minutes "ahead" is still usable.
const FUTURE_SLACK_SECS: i64 = 5 * 60;

/// One usage record the SaaS sent, as CloudTrail logged it, with AWS's answer for it.
#[derive(Debug, Clone, PartialEq)]
pub struct SaasRecord {
    pub timestamp: i64,
    pub dimension: String,
    pub quantity: i64,
    pub customer_identifier: Option<String>,
    pub customer_aws_account_id: Option<String>,
    pub license_arn: Option<String>,
    /// The request-level ProductCode, when the SaaS sent one.
    pub product_code: Option<String>,
    pub status: String,
}

impl SaasRecord {
    pub fn describe(&self) -> String {
        let who = self
            .customer_aws_account_id
            .as_deref()
            .map(|a| format!("CustomerAWSAccountId={a}"))
            .or(self
                .customer_identifier
                .as_deref()
                .map(|c| format!("CustomerIdentifier={c}")))
            .unwrap_or_default();
        let product = match (&self.license_arn, &self.product_code) {
            (Some(l), _) => format!("LicenseArn={l}"),
            (None, Some(p)) => format!("ProductCode={p}"),
            (None, None) => String::new(),
        };
        format!(
            "{} {who} {product} Dimension={} Quantity={} → {}",
            iso(self.timestamp),
            self.dimension,
            self.quantity,
            self.status
        )
    }
}

pub fn iso(t: i64) -> String {
    chrono::DateTime::from_timestamp(t, 0)
        .map(|d| d.format("%Y-%m-%dT%H:%M:%SZ").to_string())
        .unwrap_or_else(|| t.to_string())
}

/// CloudTrail spells member names in lower camel case, and AWS's own examples disagree on
/// `customerAWSAccountId` / `customerAWSAccountID`: look members up without regard to case.
pub fn member<'a>(o: &'a Value, name: &str) -> Option<&'a Value> {
    o.as_object()?
        .iter()
        .find(|(k, _)| k.eq_ignore_ascii_case(name))
        .map(|(_, v)| v)
}

pub fn member_str(o: &Value, name: &str) -> Option<String> {
    member(o, name)
        .and_then(Value::as_str)
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_string)
}

/// A usage record's timestamp as CloudTrail logs it: AWS's example shows
/// "Apr 19, 2018 4:32:50 PM" (UTC); epoch seconds and ISO-8601 are accepted too.
pub fn parse_timestamp(v: &Value) -> Option<i64> {
    match v {
        Value::Number(n) => n.as_f64().map(|f| f.floor() as i64),
        Value::String(s) => {
            let s = s.trim();
            if let Ok(d) = chrono::DateTime::parse_from_rfc3339(s) {
                return Some(d.timestamp());
            }
            chrono::NaiveDateTime::parse_from_str(s, "%b %d, %Y %I:%M:%S %p")
                .ok()
                .map(|d| d.and_utc().timestamp())
        }
        _ => None,
    }
}

/// Every usage record in one CloudTrail BatchMeterUsage event, with AWS's per-record status.
/// A call that failed as a whole (`errorCode`) or whose response was not logged holds no record
/// AWS accepted, so it yields nothing.
pub fn records(event: &Value) -> Vec<SaasRecord> {
    if event.get("errorCode").is_some_and(|c| !c.is_null()) {
        return Vec::new();
    }
    let product_code = event
        .get("requestParameters")
        .and_then(|p| member_str(p, "productCode"));
    let Some(results) = event
        .get("responseElements")
        .and_then(|r| member(r, "results"))
        .and_then(Value::as_array)
    else {
        return Vec::new();
    };
    results
        .iter()
        .filter_map(|r| {
            let rec = member(r, "usageRecord")?;
            Some(SaasRecord {
                timestamp: parse_timestamp(member(rec, "timestamp")?)?,
                dimension: member_str(rec, "dimension")?,
                quantity: member(rec, "quantity").and_then(Value::as_i64).unwrap_or(1),
                customer_identifier: member_str(rec, "customerIdentifier"),
                customer_aws_account_id: member_str(rec, "customerAWSAccountId"),
                license_arn: member_str(rec, "licenseArn"),
                product_code: product_code.clone(),
                status: member_str(r, "status").unwrap_or_default(),
            })
        })
        .collect()
}

/// What the check does after reading CloudTrail.
#[derive(Debug)]
pub enum Plan {
    /// Send quantity 0 mirroring this record of the SaaS's.
    Send(SaasRecord),
    /// Decided without sending anything.
    Verdict(Outcome),
}

/// Chooses the record to mirror (the newest `Success` for the buyer inside the window), or a
/// verdict when there is none. `now` is the later of this machine's clock and the newest
/// CloudTrail event (the sandbox's clock can run ahead).
pub fn plan(
    all: &[SaasRecord],
    buyer: &str,
    style: IntegrationStyle,
    fallback_product_code: &str,
    now: i64,
) -> Plan {
    let mine: Vec<&SaasRecord> = all
        .iter()
        .filter(|r| r.customer_aws_account_id.as_deref() == Some(buyer))
        .collect();
    let in_window = |r: &&&SaasRecord| {
        r.timestamp > now - MAX_AGE_SECS && r.timestamp <= now + FUTURE_SLACK_SECS
    };
    let usable = mine
        .iter()
        .filter(in_window)
        .filter(|r| r.status == "Success")
        .max_by_key(|r| r.timestamp);
    let Some(chosen) = usable else {
        if let Some(r) = mine.iter().filter(in_window).max_by_key(|r| r.timestamp) {
            if r.status == "CustomerNotSubscribed" {
                return Plan::Verdict(Outcome::fail(
                    la_core::text!("AWS answered the SaaS's own record for test buyer {buyer} with CustomerNotSubscribed", "テスト購入者 {buyer} の SaaS 自身のレコードに AWS は CustomerNotSubscribed と応答しました"),
                    "Meter only after subscribe-success (or Purchase Agreement Created) for this buyer, with the buyer's CustomerAWSAccountId and, for concurrent agreements, the LicenseArn from ResolveCustomer.",
                    "このバイヤーの subscribe-success (または Purchase Agreement Created) を受けてから、CustomerAWSAccountId と (同時契約では) ResolveCustomer の LicenseArn を付けて計測してください。",
                ).details(r.describe()));
            }
        }
        // Records naming only a CustomerIdentifier cannot be tied to the buyer's account id.
        let unnamed = all
            .iter()
            .filter(|r| r.customer_aws_account_id.is_none())
            .count();
        let (unnamed, unnamed_ja) = if unnamed > 0 {
            (
                format!(" ({unnamed} record(s) name only a CustomerIdentifier, which cannot be tied to the test buyer's account)"),
                format!(" (CustomerIdentifier しか示さないレコードが {unnamed} 件あり、テスト購入者のアカウントと結び付けられません)"),
            )
        } else {
            (String::new(), String::new())
        };
        return Plan::Verdict(
            Outcome::skipped(la_core::text!(
                "not sent: CloudTrail shows no record for test buyer {buyer} that AWS accepted in the last {} hours{unnamed}; this check sends only into an hour the SaaS's own record already holds, since a record in any other hour would make the SaaS's later record for it an unbilled DuplicateRecord",
                "送信しませんでした: 直近 {} 時間に AWS が受け付けたテスト購入者 {buyer} のレコードが CloudTrail にありません{unnamed_ja}。このチェックは SaaS 自身のレコードが既にある時間帯にだけ送信します。それ以外の時間帯に送ると、その時間の SaaS の後続レコードが課金されない DuplicateRecord になるためです",
                MAX_AGE_SECS / 3600
            ))
            .advice(
                "Let the SaaS meter the test buyer (its hourly job, quantity 0 is fine), wait about 15 minutes for CloudTrail, then run this check again.",
                "SaaS にテストバイヤーを計測させ (毎時ジョブ、数量 0 でも可)、CloudTrail への反映を 15 分ほど待ってから、このチェックを再実行してください。",
            )
            .details(mine.iter().map(|r| r.describe()).collect::<Vec<_>>().join("\n")),
        );
    };
    if style == IntegrationStyle::ConcurrentAgreements && chosen.license_arn.is_none() {
        return Plan::Verdict(
            Outcome::warn(
                la_core::text!("the SaaS meters test buyer {buyer} without a LicenseArn", "SaaS はテスト購入者 {buyer} を LicenseArn なしで計測しています"),
                "Products on concurrent agreements (required for products created from June 2026) send LicenseArn in each usage record, with CustomerAWSAccountId, and no request-level ProductCode.",
                "同時契約の製品 (2026 年 6 月以降に作成された製品では必須) は、各使用量レコードに CustomerAWSAccountId と LicenseArn を入れ、リクエストの ProductCode は送りません。",
            )
            .details(chosen.describe()),
        );
    }
    let mut chosen = (*chosen).clone();
    if chosen.license_arn.is_none()
        && chosen.product_code.is_none()
        && !fallback_product_code.is_empty()
    {
        chosen.product_code = Some(fallback_product_code.to_string());
    }
    Plan::Send(chosen)
}

/// The verdict on AWS's status for the zero-quantity mirror of `saas`.
pub fn verdict(
    saas: &SaasRecord,
    buyer: &str,
    status: Option<&str>,
    unprocessed: usize,
) -> Outcome {
    let hour = iso(saas.timestamp - saas.timestamp.rem_euclid(3600));
    match status {
        Some("DuplicateRecord") => Outcome::pass(la_core::text!(
            "BatchMeterUsage took a record for test buyer {buyer} and matched it to the SaaS's own record for the hour of {hour} (DuplicateRecord: this app's zero-quantity record was not billed)",
            "BatchMeterUsage はテスト購入者 {buyer} のレコードを受け取り、{hour} の時間帯の SaaS 自身のレコードと照合しました (DuplicateRecord: このアプリの数量 0 のレコードは課金されていません)",
        )),
        Some("Success") => Outcome::pass(la_core::text!(
            "BatchMeterUsage accepted a record for test buyer {buyer} (Success: the SaaS had also metered 0 for the hour of {hour}, so AWS treated it as the same record)",
            "BatchMeterUsage はテスト購入者 {buyer} のレコードを受け付けました (Success: SaaS も {hour} の時間帯に 0 を計測していたため、AWS は同じレコードとして扱いました)",
        )),
        Some("CustomerNotSubscribed") => Outcome::fail(
            la_core::text!("test buyer {buyer} is no longer subscribed (CustomerNotSubscribed), though the SaaS metered it at {}", "SaaS は {} に計測しましたが、テスト購入者 {buyer} はもう購読していません (CustomerNotSubscribed)", iso(saas.timestamp)),
            "Make a new test purchase with this account; metering stops being accepted once the final-metering hour after cancellation has passed.",
            "このアカウントで再度テスト購入を行ってください。解約後の最終計測の 1 時間を過ぎると計測は受け付けられません。",
        ),
        _ => Outcome::fail(
            la_core::text!("BatchMeterUsage did not process the record ({unprocessed} unprocessed)", "BatchMeterUsage はレコードを処理しませんでした (未処理 {unprocessed} 件)"),
            "Retry unprocessed records; AWS returns them when it could not process them yet.",
            "未処理のレコードを再送してください。AWS は処理できなかったレコードを返します。",
        ),
    }
}

#[cfg(test)]
mod tests;
