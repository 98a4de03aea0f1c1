//! The listing file's text: a fixed key order with a comment on every section, so a pulled file
//! reads like documentation and diffs in version control stay small. Values are encoded by the
//! `toml` crate (quoting and escapes are its job); `parse(to_toml(l)) == l` is tested.

use crate::file::{Eula, Listing};
use std::fmt::Write;

fn s(v: &str) -> String {
    // Long texts with line breaks read better as TOML multi-line strings; toml's own encoder
    // chooses the form that round-trips.
    toml::Value::String(v.to_string()).to_string()
}

fn list(v: &[String]) -> String {
    toml::Value::Array(v.iter().map(|x| toml::Value::String(x.clone())).collect()).to_string()
}

pub fn to_toml(l: &Listing) -> String {
    let mut o = String::new();
    let p = &l.product;
    let _ = writeln!(o, "# Listing Assistant listing file: how this SaaS product and its public offer should be on AWS Marketplace.");
    let _ = writeln!(o, "# `listing plan` compares it with AWS; `listing apply` sends the difference as one Catalog API change set.");
    let _ = writeln!(o, "format = {}", l.format);
    let _ = writeln!(o);
    let _ = writeln!(
        o,
        "# Where AWS sends buyers after they subscribe (SaaS URL delivery option; HTTPS)."
    );
    let _ = writeln!(o, "fulfillment_url = {}", s(&l.fulfillment_url));
    let _ = writeln!(
        o,
        "# AWS accounts allowed to buy while the product is Limited (12 digits each, at most 100)."
    );
    let _ = writeln!(o, "allow_listed_buyers = {}", list(&l.allow_listed_buyers));
    let _ = writeln!(o);
    let _ = writeln!(o, "# The product page (SaaSProduct UpdateInformation).");
    let _ = writeln!(o, "[product]");
    let _ = writeln!(o, "# At most 72 characters.");
    let _ = writeln!(o, "title = {}", s(&p.title));
    let _ = writeln!(o, "# At most 1,000 characters.");
    let _ = writeln!(o, "short_description = {}", s(&p.short_description));
    let _ = writeln!(o, "# At most 5,000 characters.");
    let _ = writeln!(o, "long_description = {}", s(&p.long_description));
    let _ = writeln!(o, "# 1 to 3 highlights of at most 500 characters.");
    let _ = writeln!(o, "highlights = {}", list(&p.highlights));
    let _ = writeln!(o, "# 1 to 3 AWS Marketplace categories.");
    let _ = writeln!(o, "categories = {}", list(&p.categories));
    let _ = writeln!(o, "# At most 15 keywords of at most 50 characters.");
    let _ = writeln!(o, "search_keywords = {}", list(&p.search_keywords));
    let _ = writeln!(o, "# HTTPS URL of the logo image (PNG, JPG or GIF).");
    let _ = writeln!(o, "logo_url = {}", s(&p.logo_url));
    let _ = writeln!(o, "# At most one video URL.");
    let _ = writeln!(o, "video_urls = {}", list(&p.video_urls));
    let _ = writeln!(o, "# How buyers reach support (at most 2,000 characters).");
    let _ = writeln!(o, "support_description = {}", s(&p.support_description));
    for r in &p.additional_resources {
        let _ = writeln!(o);
        let _ = writeln!(
            o,
            "# An additional resource linked from the product page (at most 3)."
        );
        let _ = writeln!(o, "[[product.additional_resources]]");
        let _ = writeln!(o, "text = {}", s(&r.text));
        let _ = writeln!(o, "url = {}", s(&r.url));
    }
    for d in &l.dimensions {
        let _ = writeln!(o);
        let _ = writeln!(o, "# A pricing dimension. types: Entitled (contracts), ExternallyMetered (usage the SaaS meters).");
        let _ = writeln!(o, "[[dimensions]]");
        let _ = writeln!(o, "key = {}", s(&d.key));
        let _ = writeln!(o, "name = {}", s(&d.name));
        let _ = writeln!(o, "description = {}", s(&d.description));
        let _ = writeln!(o, "unit = {}", s(&d.unit));
        let types: Vec<String> = d.types.iter().map(|t| t.as_str().to_string()).collect();
        let _ = writeln!(o, "types = {}", list(&types));
    }
    let f = &l.offer;
    let _ = writeln!(o);
    let _ = writeln!(o, "# The public offer: pricing, legal and support terms.");
    let _ = writeln!(o, "[offer]");
    let _ = writeln!(o, "name = {}", s(&f.name));
    let _ = writeln!(o, "description = {}", s(&f.description));
    let _ = writeln!(o, "# Contract, Usage or Free.");
    let _ = writeln!(o, "pricing_model = {}", s(f.pricing_model.as_str()));
    let _ = writeln!(o, "currency = {}", s(&f.currency));
    let _ = writeln!(o, "# Support terms: the refund policy buyers see.");
    let _ = writeln!(o, "refund_policy = {}", s(&f.refund_policy));
    let _ = writeln!(o, "# Whether contracts may renew automatically.");
    let _ = writeln!(o, "auto_renewal = {}", f.auto_renewal);
    if let Some(d) = &f.availability_end_date {
        let _ = writeln!(o, "# The last day the offer can be accepted.");
        let _ = writeln!(o, "availability_end_date = {}", s(d));
    }
    if let Some(e) = &f.eula {
        let _ = writeln!(o);
        let _ = writeln!(o, "# The EULA: type = \"standard\" (AWS's Standard Contract, with its version) or \"custom\" (your document's URL).");
        let _ = writeln!(o, "[offer.eula]");
        match e {
            Eula::Standard { version } => {
                let _ = writeln!(o, "type = \"standard\"");
                let _ = writeln!(o, "version = {}", s(version));
            }
            Eula::Custom { url } => {
                let _ = writeln!(o, "type = \"custom\"");
                let _ = writeln!(o, "url = {}", s(url));
            }
        }
    }
    if let Some(t) = &f.free_trial {
        let _ = writeln!(o);
        let _ = writeln!(o, "# A free trial before paid use (ISO-8601 days).");
        let _ = writeln!(o, "[offer.free_trial]");
        let _ = writeln!(o, "duration = {}", s(&t.duration));
    }
    for r in &f.rates {
        let _ = writeln!(o);
        let _ = writeln!(o, "# A price: with a duration (P1M, P12M…) a contract rate, without one a usage rate per unit.");
        let _ = writeln!(o, "[[offer.rates]]");
        let _ = writeln!(o, "dimension = {}", s(&r.dimension));
        if let Some(d) = &r.duration {
            let _ = writeln!(o, "duration = {}", s(d));
        }
        let _ = writeln!(o, "price = {}", s(&r.price));
    }
    o
}
