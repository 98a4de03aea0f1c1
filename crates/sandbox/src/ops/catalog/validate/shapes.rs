//! The change-type shapes, transcribed from the official shapes (field names, required
//! fields, lengths, list sizes, allowed values, patterns).

use super::offer::*;
use super::{Field, Shape, INVALID_FULFILLMENT_URL, INVALID_INPUT};

pub(super) const fn f(name: &'static str, required: bool, shape: &'static Shape) -> Field {
    Field {
        name,
        required,
        shape,
    }
}

pub(super) const fn text(max: usize) -> Shape {
    Shape::Str {
        min: 1,
        max,
        check: Some((non_blank, "must not start with white space")),
        code: INVALID_INPUT,
    }
}

pub(super) const fn plain(max: usize) -> Shape {
    Shape::Str {
        min: 0,
        max,
        check: None,
        code: INVALID_INPUT,
    }
}

pub(super) fn non_blank(s: &str) -> bool {
    s.chars().next().is_some_and(|c| !c.is_whitespace())
}

pub(super) fn dimension_key(s: &str) -> bool {
    !s.is_empty()
        && s.bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'.' | b'-'))
}

/// `https://host.tld/…` as the shapes' pattern has it. The sandbox also takes plain http on
/// loopback, where its demo SaaS runs.
pub(super) fn https_url(s: &str) -> bool {
    if s.starts_with("http://127.0.0.1") || s.starts_with("http://localhost") {
        return true;
    }
    let Some(rest) = s.strip_prefix("https://") else {
        return false;
    };
    let host = rest.split(['/', '?', '#']).next().unwrap_or_default();
    host.contains('.') && !host.starts_with('.') && !host.ends_with('.')
}

pub(super) fn delivery_option_id(s: &str) -> bool {
    s.strip_prefix("do-")
        .is_some_and(|r| !r.is_empty() && r.bytes().all(|b| b.is_ascii_alphanumeric()))
}

pub(super) fn account_id(s: &str) -> bool {
    s.len() == 12 && s.bytes().all(|b| b.is_ascii_digit())
}

pub(super) fn product_id(s: &str) -> bool {
    s.len() >= 3
        && s.bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'/' | b'-'))
}

pub(super) fn date(s: &str) -> bool {
    chrono::NaiveDate::parse_from_str(s, "%Y-%m-%d").is_ok()
}

pub(super) fn percentage(s: &str) -> bool {
    let (int, frac) = s.split_once('.').unwrap_or(("", s));
    int.bytes().all(|b| b.is_ascii_digit())
        && (1..=9).contains(&frac.len())
        && frac.bytes().all(|b| b.is_ascii_digit())
}

pub(super) static TITLE: Shape = text(72);
pub(super) static URL: Shape = Shape::Str {
    min: 8,
    max: 2048,
    check: Some((https_url, "must be an HTTPS URL (https://…)")),
    code: INVALID_FULFILLMENT_URL,
};
pub(super) static LINK: Shape = Shape::Str {
    min: 8,
    max: 2048,
    check: Some((https_url, "must be an https:// URL")),
    code: INVALID_INPUT,
};
pub(super) static ANY: Shape = Shape::Any;
pub(super) static BOOL: Shape = Shape::Bool;
pub(super) static INT: Shape = Shape::Int;
pub(super) static ACCOUNT: Shape = Shape::Str {
    min: 12,
    max: 12,
    check: Some((account_id, "must be a 12-digit AWS account ID")),
    code: INVALID_INPUT,
};
pub(super) static DIM_KEY: Shape = Shape::Str {
    min: 1,
    max: 100,
    check: Some((dimension_key, "may hold only letters, digits, _ . and -")),
    code: INVALID_INPUT,
};
pub(super) static DIM_TYPES: Shape = Shape::List {
    item: &Shape::OneOf(&["Entitled", "Metered", "ExternallyMetered"]),
    min: 1,
    max: 3,
};
pub(super) static STRINGS: Shape = Shape::List {
    item: &plain(2048),
    min: 0,
    max: 1000,
};

// ---- SaaSProduct@1.0 ------------------------------------------------------------------------

pub(super) static CREATE_PRODUCT: Shape = Shape::Obj(&[f("ProductTitle", false, &TITLE)]);
pub(super) static PRODUCT_INFORMATION: Shape = Shape::Obj(&[
    f("ProductTitle", false, &TITLE),
    f("ShortDescription", false, &text(1000)),
    f("LongDescription", false, &text(5000)),
    f("Sku", false, &text(5000)),
    f("LogoUrl", false, &LINK),
    f(
        "VideoUrls",
        false,
        &Shape::List {
            item: &plain(2048),
            min: 0,
            max: 1,
        },
    ),
    f(
        "Highlights",
        false,
        &Shape::List {
            item: &plain(500),
            min: 1,
            max: 3,
        },
    ),
    f(
        "AdditionalResources",
        false,
        &Shape::List {
            item: &Shape::Obj(&[f("Text", true, &text(500)), f("Url", true, &plain(2048))]),
            min: 0,
            max: 3,
        },
    ),
    f("SupportDescription", false, &text(2000)),
    f(
        "Categories",
        false,
        &Shape::List {
            item: &plain(100),
            min: 1,
            max: 3,
        },
    ),
    f(
        "AssociatedProducts",
        false,
        &Shape::List {
            item: &plain(100),
            min: 1,
            max: 10,
        },
    ),
    f(
        "SearchKeywords",
        false,
        &Shape::List {
            item: &plain(50),
            min: 1,
            max: 15,
        },
    ),
]);
pub(super) static SAAS_URL_ADD: Shape = Shape::Obj(&[
    f("FulfillmentUrl", true, &URL),
    f("LaunchUrl", false, &LINK),
    f(
        "DeploymentTemplates",
        false,
        &Shape::List {
            item: &ANY,
            min: 1,
            max: 20,
        },
    ),
    f("UsageInstructions", false, &plain(30000)),
    f("QuickLaunchEnabled", false, &BOOL),
]);
pub(super) static API_ADD: Shape = Shape::Obj(&[
    f("ApiType", true, &plain(50)),
    f("QuickLaunchEnabled", true, &BOOL),
    f(
        "CompatibleServices",
        false,
        &Shape::List {
            item: &plain(100),
            min: 0,
            max: 1,
        },
    ),
    f("FulfillmentUrl", true, &URL),
    f("UsageInstructions", false, &plain(30000)),
    f(
        "Endpoints",
        true,
        &Shape::List {
            item: &ANY,
            min: 1,
            max: 1,
        },
    ),
]);
pub(super) static ADD_DELIVERY_OPTIONS: Shape = Shape::Obj(&[f(
    "DeliveryOptions",
    true,
    &Shape::List {
        item: &Shape::Obj(&[f(
            "Details",
            true,
            &Shape::Obj(&[
                f("SaaSUrlDeliveryOptionDetails", false, &SAAS_URL_ADD),
                f("ApiDeliveryOptionDetails", false, &API_ADD),
            ]),
        )]),
        min: 1,
        max: 20,
    },
)]);
pub(super) static DO_ID: Shape = Shape::Str {
    min: 4,
    max: 36,
    check: Some((delivery_option_id, "must look like do-xxxxxxxxxxxxx")),
    code: INVALID_INPUT,
};
pub(super) static UPDATE_DELIVERY_OPTIONS: Shape = Shape::Obj(&[f(
    "DeliveryOptions",
    true,
    &Shape::List {
        item: &Shape::Obj(&[
            f("Id", true, &DO_ID),
            f(
                "Details",
                true,
                &Shape::Obj(&[
                    f(
                        "SaaSUrlDeliveryOptionDetails",
                        false,
                        &Shape::Obj(&[
                            f("FulfillmentUrl", false, &URL),
                            f("LaunchUrl", false, &LINK),
                            f(
                                "DeploymentTemplates",
                                false,
                                &Shape::List {
                                    item: &ANY,
                                    min: 1,
                                    max: 20,
                                },
                            ),
                            f("UsageInstructions", false, &plain(30000)),
                        ]),
                    ),
                    f("ApiDeliveryOptionDetails", false, &ANY),
                ]),
            ),
        ]),
        min: 1,
        max: 20,
    },
)]);
pub(super) static UPDATE_DELIVERY_OPTIONS_VISIBILITY: Shape = Shape::Obj(&[f(
    "DeliveryOptions",
    true,
    &Shape::List {
        item: &Shape::Obj(&[
            f("Id", true, &DO_ID),
            f(
                "TargetVisibility",
                false,
                &Shape::OneOf(&["Public", "Limited", "Unavailable"]),
            ),
            f("Targeting", false, &ANY),
        ]),
        min: 1,
        max: 2,
    },
)]);
pub(super) static ADD_DIMENSIONS: Shape = Shape::List {
    item: &Shape::Obj(&[
        f("Name", true, &text(80)),
        f("Description", true, &text(1000)),
        f("Key", true, &DIM_KEY),
        f("Unit", true, &text(20)),
        f("Types", true, &DIM_TYPES),
    ]),
    min: 1,
    max: 1000,
};
pub(super) static UPDATE_DIMENSIONS: Shape = Shape::List {
    item: &Shape::Obj(&[
        f("Name", false, &text(80)),
        f("Description", false, &text(1000)),
        f("Key", true, &DIM_KEY),
        f("Types", true, &DIM_TYPES),
    ]),
    min: 1,
    max: 1000,
};
pub(super) static RESTRICT_DIMENSIONS: Shape = Shape::List {
    item: &Shape::Obj(&[f("Key", true, &DIM_KEY), f("Types", true, &DIM_TYPES)]),
    min: 1,
    max: 1000,
};
pub(super) static PRODUCT_TARGETING: Shape = Shape::Obj(&[f(
    "PositiveTargeting",
    true,
    &Shape::Obj(&[f(
        "BuyerAccounts",
        true,
        &Shape::List {
            item: &ACCOUNT,
            min: 0,
            max: 100,
        },
    )]),
)]);
pub(super) static EMPTY: Shape = Shape::Obj(&[]);
pub(super) static UPDATE_VISIBILITY: Shape = Shape::Obj(&[
    f(
        "TargetVisibility",
        true,
        &Shape::OneOf(&["Public", "Restricted", "Limited"]),
    ),
    f("ReplacementProductId", false, &plain(100)),
]);

pub const SAAS_PRODUCT: &str = "SaaSProduct@1.0";
pub const OFFER: &str = "Offer@1.0";

/// The change types of each entity type, with the shape of their details.
pub static CHANGE_TYPES: &[(&str, &str, &Shape)] = &[
    (SAAS_PRODUCT, "CreateProduct", &CREATE_PRODUCT),
    (SAAS_PRODUCT, "UpdateInformation", &PRODUCT_INFORMATION),
    (SAAS_PRODUCT, "AddDeliveryOptions", &ADD_DELIVERY_OPTIONS),
    (
        SAAS_PRODUCT,
        "UpdateDeliveryOptions",
        &UPDATE_DELIVERY_OPTIONS,
    ),
    (
        SAAS_PRODUCT,
        "UpdateDeliveryOptionsVisibility",
        &UPDATE_DELIVERY_OPTIONS_VISIBILITY,
    ),
    (SAAS_PRODUCT, "AddDimensions", &ADD_DIMENSIONS),
    (SAAS_PRODUCT, "UpdateDimensions", &UPDATE_DIMENSIONS),
    (SAAS_PRODUCT, "RestrictDimensions", &RESTRICT_DIMENSIONS),
    (SAAS_PRODUCT, "UpdateTargeting", &PRODUCT_TARGETING),
    (SAAS_PRODUCT, "ReleaseProduct", &EMPTY),
    (SAAS_PRODUCT, "UpdateVisibility", &UPDATE_VISIBILITY),
    (OFFER, "CreateOffer", &CREATE_OFFER),
    (OFFER, "CreateReplacementOffer", &CREATE_REPLACEMENT_OFFER),
    (
        OFFER,
        "CreateOfferUsingResaleAuthorization",
        &CREATE_OFFER_FROM_RESALE,
    ),
    (
        OFFER,
        "CreateReplacementOfferUsingResaleAuthorization",
        &CREATE_REPLACEMENT_OFFER_FROM_RESALE,
    ),
    (OFFER, "UpdateInformation", &OFFER_INFORMATION),
    (OFFER, "UpdatePricingTerms", &UPDATE_PRICING_TERMS),
    (OFFER, "UpdateLegalTerms", &UPDATE_LEGAL_TERMS),
    (OFFER, "UpdateSupportTerms", &SUPPORT_TERMS),
    (OFFER, "UpdateRenewalTerms", &RENEWAL_TERMS),
    (OFFER, "UpdateValidityTerms", &VALIDITY_TERMS),
    (OFFER, "UpdatePaymentScheduleTerms", &PAYMENT_SCHEDULE_TERMS),
    (
        OFFER,
        "UpdateCustomerVerificationTerms",
        &CUSTOMER_VERIFICATION_TERMS,
    ),
    (OFFER, "UpdateAvailability", &UPDATE_AVAILABILITY),
    (OFFER, "UpdateTargeting", &OFFER_TARGETING),
    (OFFER, "UpdateMarkup", &UPDATE_MARKUP),
    (OFFER, "ReleaseOffer", &EMPTY),
];
