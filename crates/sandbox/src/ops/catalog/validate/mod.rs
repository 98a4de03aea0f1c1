//! Change-set validation against the official change-type shapes (awslabs/
//! aws-marketplace-catalog-api-shapes-*: `saasproduct_1_0_changetypes`, `offer_1_0` and its
//! appendix): required fields, lengths, list sizes, allowed values and patterns. Each problem
//! becomes an `ErrorDetailList` entry with AWS's error code, so a change set that AWS would
//! reject fails here with the same codes. Pure functions over JSON: listing authoring reuses
//! them to validate a plan before it is sent.

mod offer;

/// The term types UpdatePricingTerms accepts: validation checks them, applying replaces them.
pub const PRICING_TERMS: &[&str] = &[
    "UsageBasedPricingTerm",
    "ConfigurableUpfrontPricingTerm",
    "FixedUpfrontPricingTerm",
    "FreeTrialPricingTerm",
    "RecurringPaymentTerm",
    "ByolPricingTerm",
];
mod shapes;
#[cfg(test)]
mod tests;

pub use shapes::{CHANGE_TYPES, OFFER, SAAS_PRODUCT};

use serde_json::{json, Value};

/// The generic code AWS gives a change whose details break the change type's shape.
pub const INVALID_INPUT: &str = "INVALID_INPUT";
/// A SaaS fulfillment URL that is not an https:// URL (AWS's SaaS troubleshooting page).
pub const INVALID_FULFILLMENT_URL: &str = "INVALID_FULFILLMENT_URL";
/// The change names an entity that does not exist.
pub const RESOURCE_NOT_FOUND: &str = "RESOURCE_NOT_FOUND";

/// One entry of a change's `ErrorDetailList`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ErrorDetail {
    pub code: &'static str,
    pub message: String,
}

impl ErrorDetail {
    pub fn new(code: &'static str, message: impl Into<String>) -> Self {
        Self {
            code,
            message: message.into(),
        }
    }
    pub fn to_json(&self) -> Value {
        json!({"ErrorCode": self.code, "ErrorMessage": self.message})
    }
}

/// A pattern check on a string, and the rule it enforces in words.
pub type Rule = (fn(&str) -> bool, &'static str);

/// A field shape.
pub enum Shape {
    /// A string of `min..=max` characters matching `check` (described by `rule`).
    Str {
        min: usize,
        max: usize,
        check: Option<Rule>,
        code: &'static str,
    },
    OneOf(&'static [&'static str]),
    Bool,
    Int,
    List {
        item: &'static Shape,
        min: usize,
        max: usize,
    },
    Obj(&'static [Field]),
    /// Not checked further (deployment templates, API endpoints…).
    Any,
}

pub struct Field {
    pub name: &'static str,
    pub required: bool,
    pub shape: &'static Shape,
}

/// Change types that create their entity (no Identifier needed).
pub fn creates_entity(change_type: &str) -> bool {
    change_type == "CreateProduct" || change_type.starts_with("Create")
}

/// The shape of a change type's details, `None` when the entity type has no such change.
pub fn shape_of(entity_type: &str, change_type: &str) -> Option<&'static Shape> {
    CHANGE_TYPES
        .iter()
        .find(|(e, c, _)| *e == entity_type && *c == change_type)
        .map(|(_, _, s)| *s)
}

/// A `$ChangeName.Entity.Identifier` reference to an entity made earlier in the change set.
pub fn reference(s: &str) -> Option<&str> {
    s.strip_prefix('$')?.strip_suffix(".Entity.Identifier")
}

/// Every problem with a change's details, in AWS's ErrorDetailList form. Strings that are
/// `$ChangeName.Entity.Identifier` references are checked once resolved, not here.
pub fn validate_change(entity_type: &str, change_type: &str, details: &Value) -> Vec<ErrorDetail> {
    let Some(shape) = shape_of(entity_type, change_type) else {
        return vec![ErrorDetail::new(
            INVALID_INPUT,
            format!("{change_type} is not a change type of {entity_type}."),
        )];
    };
    // AddDimensions and its kin take a list; an object wrapping it as "Dimensions" is also
    // read (older callers of the sandbox sent that).
    let details = match (shape, details.get("Dimensions")) {
        (Shape::List { .. }, Some(d)) if details.is_object() => d,
        _ => details,
    };
    let mut errs = Vec::new();
    check(shape, details, "", &mut errs);
    semantic(change_type, details, &mut errs);
    errs
}

fn at(path: &str, name: &str) -> String {
    if path.is_empty() {
        name.to_string()
    } else {
        format!("{path}.{name}")
    }
}

fn check(shape: &Shape, v: &Value, path: &str, errs: &mut Vec<ErrorDetail>) {
    let here = if path.is_empty() { "Details" } else { path };
    match shape {
        Shape::Any => {}
        Shape::Str {
            min,
            max,
            check,
            code,
        } => {
            match v.as_str() {
                Some(s) if reference(s).is_some() => {}
                Some(s) => {
                    let n = s.chars().count();
                    if n < *min || n > *max {
                        errs.push(ErrorDetail::new(INVALID_INPUT, format!("{here} must be between {min} and {max} characters long; it has {n}.")));
                    } else if let Some((ok, rule)) = check {
                        if !ok(s) {
                            errs.push(ErrorDetail::new(code, format!("{here} {rule}: '{s}'.")));
                        }
                    }
                }
                None => errs.push(ErrorDetail::new(
                    INVALID_INPUT,
                    format!("{here} must be a string."),
                )),
            }
        }
        Shape::OneOf(allowed) => match v.as_str() {
            Some(s) if allowed.contains(&s) => {}
            _ => errs.push(ErrorDetail::new(
                INVALID_INPUT,
                format!("{here} must be one of {}; it is {v}.", allowed.join(", ")),
            )),
        },
        Shape::Bool => {
            if !v.is_boolean() {
                errs.push(ErrorDetail::new(
                    INVALID_INPUT,
                    format!("{here} must be true or false."),
                ));
            }
        }
        Shape::Int => {
            if !(v.is_i64() || v.is_u64()) {
                errs.push(ErrorDetail::new(
                    INVALID_INPUT,
                    format!("{here} must be an integer."),
                ));
            }
        }
        Shape::List { item, min, max } => match v.as_array() {
            Some(a) => {
                if a.len() < *min || a.len() > *max {
                    errs.push(ErrorDetail::new(
                        INVALID_INPUT,
                        format!(
                            "{here} must have between {min} and {max} items; it has {}.",
                            a.len()
                        ),
                    ));
                }
                for (i, x) in a.iter().enumerate() {
                    check(item, x, &format!("{here}[{i}]"), errs);
                }
            }
            None => errs.push(ErrorDetail::new(
                INVALID_INPUT,
                format!("{here} must be a list."),
            )),
        },
        Shape::Obj(fields) => match v.as_object() {
            Some(o) => {
                for fd in *fields {
                    match o.get(fd.name) {
                        None | Some(Value::Null) if fd.required => errs.push(ErrorDetail::new(
                            INVALID_INPUT,
                            format!("{} is required.", at(path, fd.name)),
                        )),
                        None | Some(Value::Null) => {}
                        Some(x) => check(fd.shape, x, &at(path, fd.name), errs),
                    }
                }
            }
            None => errs.push(ErrorDetail::new(
                INVALID_INPUT,
                format!("{here} must be an object."),
            )),
        },
    }
}

/// Rules the shapes state in prose rather than in types.
fn semantic(change_type: &str, d: &Value, errs: &mut Vec<ErrorDetail>) {
    match change_type {
        "AddDeliveryOptions" => {
            for (i, o) in d["DeliveryOptions"]
                .as_array()
                .into_iter()
                .flatten()
                .enumerate()
            {
                let n = ["SaaSUrlDeliveryOptionDetails", "ApiDeliveryOptionDetails"]
                    .iter()
                    .filter(|k| o["Details"].get(**k).is_some_and(|x| !x.is_null()))
                    .count();
                if n != 1 {
                    errs.push(ErrorDetail::new(
                        INVALID_INPUT,
                        format!("DeliveryOptions[{i}].Details needs exactly one of SaaSUrlDeliveryOptionDetails or ApiDeliveryOptionDetails."),
                    ));
                }
            }
        }
        "UpdateLegalTerms" => {
            for t in d["Terms"].as_array().into_iter().flatten() {
                for doc in t["Documents"].as_array().into_iter().flatten() {
                    let kind = doc["Type"].as_str().unwrap_or_default();
                    let has = |k: &str| doc.get(k).is_some_and(|x| !x.is_null());
                    if kind.starts_with("Custom") && !has("Url") {
                        errs.push(ErrorDetail::new(
                            INVALID_INPUT,
                            format!("A {kind} document needs a Url."),
                        ));
                    }
                    if kind.starts_with("Standard") && !has("Version") {
                        errs.push(ErrorDetail::new(
                            INVALID_INPUT,
                            format!("A {kind} document needs a Version."),
                        ));
                    }
                    if kind.starts_with("Standard") && has("Url") {
                        errs.push(ErrorDetail::new(
                            INVALID_INPUT,
                            format!("A {kind} document takes no Url."),
                        ));
                    }
                }
            }
        }
        "UpdateTargeting"
            if d.get("PositiveTargeting").is_none() && d.get("NegativeTargeting").is_none() =>
        {
            errs.push(ErrorDetail::new(
                INVALID_INPUT,
                "PositiveTargeting or NegativeTargeting is required.",
            ));
        }
        _ => {}
    }
}
