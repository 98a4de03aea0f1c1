//! The Offer@1.0 change-type shapes (offer_1_0 and its appendix).

use super::shapes::*;
use super::{Shape, INVALID_INPUT, PRICING_TERMS};

// ---- Offer@1.0 -----------------------------------------------------------------------------

pub(super) static PRODUCT_ID: Shape = Shape::Str {
    min: 3,
    max: 50,
    check: Some((product_id, "must be a product ID (prod-…)")),
    code: INVALID_INPUT,
};
pub(super) static CREATE_OFFER: Shape = Shape::Obj(&[
    f("Name", false, &text(150)),
    f("ProductId", true, &PRODUCT_ID),
]);
pub(super) static CREATE_REPLACEMENT_OFFER: Shape = Shape::Obj(&[
    f("Name", false, &text(150)),
    f("AgreementId", true, &text(64)),
]);
pub(super) static CREATE_OFFER_FROM_RESALE: Shape = Shape::Obj(&[
    f("ResaleAuthorizationId", true, &text(255)),
    f("Name", false, &text(150)),
    f("Description", false, &text(255)),
]);
pub(super) static CREATE_REPLACEMENT_OFFER_FROM_RESALE: Shape = Shape::Obj(&[
    f("ResaleAuthorizationId", true, &text(255)),
    f("AgreementId", true, &text(64)),
    f("Name", false, &text(150)),
]);
pub(super) static OFFER_INFORMATION: Shape = Shape::Obj(&[
    f("Name", false, &text(150)),
    f("Description", false, &text(255)),
    f("PreExistingAgreement", false, &ANY),
]);
pub(super) static PRICING_TERM: Shape = Shape::Obj(&[
    f("Type", true, &Shape::OneOf(PRICING_TERMS)),
    f(
        "CurrencyCode",
        false,
        &Shape::OneOf(&["USD", "EUR", "GBP", "AUD", "JPY"]),
    ),
    f(
        "RateCards",
        false,
        &Shape::List {
            item: &ANY,
            min: 0,
            max: 1000,
        },
    ),
    f(
        "Grants",
        false,
        &Shape::List {
            item: &Shape::Obj(&[
                f("DimensionKey", true, &DIM_KEY),
                f("MaxQuantity", false, &INT),
            ]),
            min: 0,
            max: 1000,
        },
    ),
]);
pub(super) static UPDATE_PRICING_TERMS: Shape = Shape::Obj(&[
    f(
        "PricingModel",
        true,
        &Shape::OneOf(&["Byol", "Free", "Usage", "Contract"]),
    ),
    f(
        "Terms",
        true,
        &Shape::List {
            item: &PRICING_TERM,
            min: 1,
            max: 10,
        },
    ),
]);
pub(super) static LEGAL_DOCUMENT: Shape = Shape::Obj(&[
    f(
        "Type",
        true,
        &Shape::OneOf(&["CustomEula", "StandardEula", "CustomDsa", "StandardDsa"]),
    ),
    f("Url", false, &LINK),
    f(
        "Version",
        false,
        &Shape::OneOf(&["2019-04-24", "2022-07-14", "2019-12-12"]),
    ),
]);
pub(super) static UPDATE_LEGAL_TERMS: Shape = Shape::Obj(&[f(
    "Terms",
    true,
    &Shape::List {
        item: &Shape::Obj(&[
            f("Type", true, &Shape::OneOf(&["LegalTerm"])),
            f(
                "Documents",
                true,
                &Shape::List {
                    item: &LEGAL_DOCUMENT,
                    min: 1,
                    max: 1,
                },
            ),
        ]),
        min: 1,
        max: 1,
    },
)]);
pub(super) static SUPPORT_TERMS: Shape = Shape::Obj(&[f(
    "Terms",
    true,
    &Shape::List {
        item: &Shape::Obj(&[
            f("Type", true, &Shape::OneOf(&["SupportTerm"])),
            f("RefundPolicy", true, &text(5000)),
        ]),
        min: 0,
        max: 1,
    },
)]);
pub(super) static RENEWAL_TERMS: Shape = Shape::Obj(&[f(
    "Terms",
    true,
    &Shape::List {
        item: &Shape::Obj(&[f("Type", true, &Shape::OneOf(&["RenewalTerm"]))]),
        min: 0,
        max: 1,
    },
)]);
pub(super) static VALIDITY_TERMS: Shape = Shape::Obj(&[f(
    "Terms",
    true,
    &Shape::List {
        item: &Shape::Obj(&[
            f("Type", true, &Shape::OneOf(&["ValidityTerm"])),
            f("AgreementDuration", false, &plain(20)),
            f("AgreementStartDate", false, &plain(30)),
            f("AgreementEndDate", false, &plain(30)),
        ]),
        min: 0,
        max: 1,
    },
)]);
pub(super) static PAYMENT_SCHEDULE_TERMS: Shape = Shape::Obj(&[f(
    "Terms",
    true,
    &Shape::List {
        item: &Shape::Obj(&[
            f("Type", true, &Shape::OneOf(&["PaymentScheduleTerm"])),
            f("CurrencyCode", false, &plain(3)),
            f(
                "Schedule",
                false,
                &Shape::List {
                    item: &ANY,
                    min: 1,
                    max: 1000,
                },
            ),
        ]),
        min: 0,
        max: 1,
    },
)]);
pub(super) static CUSTOMER_VERIFICATION_TERMS: Shape = Shape::Obj(&[f(
    "Terms",
    true,
    &Shape::List {
        item: &Shape::Obj(&[f(
            "Type",
            true,
            &Shape::OneOf(&["CustomerVerificationTerm"]),
        )]),
        min: 0,
        max: 1,
    },
)]);
pub(super) static UPDATE_AVAILABILITY: Shape = Shape::Obj(&[f(
    "AvailabilityEndDate",
    true,
    &Shape::Str {
        min: 10,
        max: 10,
        check: Some((date, "must be a date YYYY-MM-DD")),
        code: INVALID_INPUT,
    },
)]);
pub(super) static OFFER_TARGETING: Shape = Shape::Obj(&[
    f(
        "PositiveTargeting",
        false,
        &Shape::Obj(&[
            f(
                "BuyerAccounts",
                false,
                &Shape::List {
                    item: &ACCOUNT,
                    min: 0,
                    max: 26,
                },
            ),
            f("CountryCodes", false, &STRINGS),
        ]),
    ),
    f(
        "NegativeTargeting",
        false,
        &Shape::Obj(&[f("CountryCodes", false, &STRINGS)]),
    ),
]);
pub(super) static UPDATE_MARKUP: Shape = Shape::Obj(&[f(
    "Percentage",
    true,
    &Shape::Str {
        min: 1,
        max: 20,
        check: Some((percentage, "must be a number such as 20 or 12.5")),
        code: INVALID_INPUT,
    },
)]);
