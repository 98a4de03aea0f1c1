//! The validator against a minimal valid document of every change type, and bad input.

use super::*;
use serde_json::{json, Value};

fn codes(e: &str, c: &str, d: Value) -> Vec<&'static str> {
    validate_change(e, c, &d).iter().map(|x| x.code).collect()
}

#[test]
fn every_change_type_accepts_a_minimal_valid_document() {
    let ok: &[(&str, &str, Value)] = &[
        (SAAS_PRODUCT, "CreateProduct", json!({})),
        (
            SAAS_PRODUCT,
            "UpdateInformation",
            json!({"ProductTitle": "T", "Highlights": ["h"], "AdditionalResources": []}),
        ),
        (
            SAAS_PRODUCT,
            "AddDeliveryOptions",
            json!({"DeliveryOptions": [{"Details": {"SaaSUrlDeliveryOptionDetails": {"FulfillmentUrl": "https://app.example.com/register"}}}]}),
        ),
        (
            SAAS_PRODUCT,
            "UpdateDeliveryOptions",
            json!({"DeliveryOptions": [{"Id": "do-abc123", "Details": {"SaaSUrlDeliveryOptionDetails": {"FulfillmentUrl": "https://app.example.com/r2"}}}]}),
        ),
        (
            SAAS_PRODUCT,
            "UpdateDeliveryOptionsVisibility",
            json!({"DeliveryOptions": [{"Id": "do-abc123", "TargetVisibility": "Unavailable"}]}),
        ),
        (
            SAAS_PRODUCT,
            "AddDimensions",
            json!([{"Key": "seats", "Name": "Seats", "Description": "Users", "Unit": "Users", "Types": ["Entitled"]}]),
        ),
        (
            SAAS_PRODUCT,
            "UpdateDimensions",
            json!([{"Key": "seats", "Types": ["Entitled"], "Name": "Named seats"}]),
        ),
        (
            SAAS_PRODUCT,
            "RestrictDimensions",
            json!([{"Key": "seats", "Types": ["Entitled"]}]),
        ),
        (
            SAAS_PRODUCT,
            "UpdateTargeting",
            json!({"PositiveTargeting": {"BuyerAccounts": ["111122223333"]}}),
        ),
        (SAAS_PRODUCT, "ReleaseProduct", json!({})),
        (
            SAAS_PRODUCT,
            "UpdateVisibility",
            json!({"TargetVisibility": "Public"}),
        ),
        (
            OFFER,
            "CreateOffer",
            json!({"ProductId": "$CreateProductChange.Entity.Identifier"}),
        ),
        (
            OFFER,
            "CreateReplacementOffer",
            json!({"AgreementId": "agmt-1234567890"}),
        ),
        (
            OFFER,
            "CreateOfferUsingResaleAuthorization",
            json!({"ResaleAuthorizationId": "resaleauthz-1"}),
        ),
        (
            OFFER,
            "CreateReplacementOfferUsingResaleAuthorization",
            json!({"ResaleAuthorizationId": "resaleauthz-1", "AgreementId": "agmt-1"}),
        ),
        (
            OFFER,
            "UpdateInformation",
            json!({"Name": "N", "Description": "D"}),
        ),
        (
            OFFER,
            "UpdatePricingTerms",
            json!({"PricingModel": "Usage", "Terms": [{"Type": "UsageBasedPricingTerm", "CurrencyCode": "USD", "RateCards": [{"RateCard": [{"DimensionKey": "api", "Price": "0.1"}]}]}]}),
        ),
        (
            OFFER,
            "UpdateLegalTerms",
            json!({"Terms": [{"Type": "LegalTerm", "Documents": [{"Type": "StandardEula", "Version": "2022-07-14"}]}]}),
        ),
        (
            OFFER,
            "UpdateSupportTerms",
            json!({"Terms": [{"Type": "SupportTerm", "RefundPolicy": "None."}]}),
        ),
        (
            OFFER,
            "UpdateRenewalTerms",
            json!({"Terms": [{"Type": "RenewalTerm"}]}),
        ),
        (
            OFFER,
            "UpdateValidityTerms",
            json!({"Terms": [{"Type": "ValidityTerm", "AgreementDuration": "P30D"}]}),
        ),
        (
            OFFER,
            "UpdatePaymentScheduleTerms",
            json!({"Terms": [{"Type": "PaymentScheduleTerm", "CurrencyCode": "USD", "Schedule": [{"ChargeDate": "2027-01-01", "ChargeAmount": "10"}]}]}),
        ),
        (
            OFFER,
            "UpdateCustomerVerificationTerms",
            json!({"Terms": []}),
        ),
        (
            OFFER,
            "UpdateAvailability",
            json!({"AvailabilityEndDate": "2027-01-01"}),
        ),
        (
            OFFER,
            "UpdateTargeting",
            json!({"PositiveTargeting": {"BuyerAccounts": ["111122223333"]}}),
        ),
        (OFFER, "UpdateMarkup", json!({"Percentage": "12.5"})),
        (OFFER, "ReleaseOffer", json!({})),
    ];
    assert_eq!(ok.len(), CHANGE_TYPES.len(), "one case per change type");
    for (e, c, d) in ok {
        assert_eq!(validate_change(e, c, d), vec![], "{e} {c}");
    }
}

#[test]
fn bad_input_gets_aws_error_codes() {
    assert_eq!(
        codes(
            SAAS_PRODUCT,
            "CreateProduct",
            json!({"ProductTitle": "x".repeat(73)})
        ),
        [INVALID_INPUT]
    );
    assert_eq!(
        codes(
            SAAS_PRODUCT,
            "AddDeliveryOptions",
            json!({"DeliveryOptions": [{"Details": {"SaaSUrlDeliveryOptionDetails": {"FulfillmentUrl": "http://example.com/x"}}}]})
        ),
        [INVALID_FULFILLMENT_URL]
    );
    assert_eq!(
        codes(
            SAAS_PRODUCT,
            "AddDeliveryOptions",
            json!({"DeliveryOptions": [{"Details": {}}]})
        ),
        [INVALID_INPUT]
    );
    assert_eq!(
        codes(
            SAAS_PRODUCT,
            "AddDimensions",
            json!([{"Key": "bad key", "Name": "N", "Description": "D", "Unit": "U", "Types": ["Entitled"]}])
        ),
        [INVALID_INPUT]
    );
    assert_eq!(
        codes(
            SAAS_PRODUCT,
            "AddDimensions",
            json!([{"Key": "k", "Name": "N", "Description": "D", "Unit": "U", "Types": ["Bogus"]}])
        ),
        [INVALID_INPUT]
    );
    assert_eq!(
        codes(SAAS_PRODUCT, "AddDimensions", json!([{"Key": "k"}])).len(),
        4,
        "Name, Description, Unit and Types are required"
    );
    assert_eq!(
        codes(
            SAAS_PRODUCT,
            "UpdateTargeting",
            json!({"PositiveTargeting": {"BuyerAccounts": ["12345"]}})
        ),
        [INVALID_INPUT]
    );
    assert_eq!(
        codes(
            SAAS_PRODUCT,
            "UpdateVisibility",
            json!({"TargetVisibility": "Everyone"})
        ),
        [INVALID_INPUT]
    );
    assert_eq!(codes(OFFER, "CreateOffer", json!({})), [INVALID_INPUT]);
    assert_eq!(
        codes(
            OFFER,
            "UpdateLegalTerms",
            json!({"Terms": [{"Type": "LegalTerm", "Documents": [{"Type": "CustomEula"}]}]})
        ),
        [INVALID_INPUT]
    );
    assert_eq!(
        codes(
            OFFER,
            "UpdateLegalTerms",
            json!({"Terms": [{"Type": "LegalTerm", "Documents": [{"Type": "StandardEula"}]}]})
        ),
        [INVALID_INPUT]
    );
    assert_eq!(
        codes(
            OFFER,
            "UpdatePricingTerms",
            json!({"PricingModel": "Cheap", "Terms": []})
        )
        .len(),
        2
    );
    assert_eq!(
        codes(
            OFFER,
            "UpdateAvailability",
            json!({"AvailabilityEndDate": "2027-02-30"})
        ),
        [INVALID_INPUT]
    );
    assert_eq!(codes(OFFER, "ReleaseProduct", json!({})), [INVALID_INPUT]);
}

#[test]
fn references_are_recognised() {
    assert_eq!(
        reference("$CreateProductChange.Entity.Identifier"),
        Some("CreateProductChange")
    );
    assert_eq!(reference("prod-123"), None);
    assert!(creates_entity("CreateOffer") && !creates_entity("UpdateInformation"));
}
