//! Snapshots of the v2 and v3 JSON for one order, one customer, one simple
//! product, one variable product and one variation of the 9.2.5 fixture
//! store (v2 is what the Segmentflow plugin's `wp_api_v2` webhooks send).
//! The response time is fixed so the v2 placeholder image dates are stable.

use segmentflow_core::rest::{self, ApiVersion};
use segmentflow_core::store::{CustomerRecord, OrderRecord, ProductRecord, Site};
use serde::de::DeserializeOwned;
use serde_json::Value;
use std::path::PathBuf;

fn record<T: DeserializeOwned>(rel: &str) -> T {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../fixtures/woocommerce-9.2.5/records")
        .join(rel);
    let text = std::fs::read_to_string(path).expect("record fixture is readable");
    serde_json::from_str(&text).expect("record fixture parses")
}

fn site() -> Site {
    Site {
        now_gmt: Some("2026-11-28 00:00:00".into()),
        ..record("site.json")
    }
}

fn pretty(v: &Value) -> String {
    serde_json::to_string_pretty(v).expect("JSON value serializes")
}

#[test]
fn snapshots_v2_and_v3() {
    let site = site();
    let order: OrderRecord = record("orders/84.json");
    let customer: CustomerRecord = record("customers/2.json");
    let simple: ProductRecord = record("products/11.json");
    let variable: ProductRecord = record("products/40.json");
    let variation: ProductRecord = record("products/42.json");
    for (version, tag) in [(ApiVersion::V2, "v2"), (ApiVersion::V3, "v3")] {
        insta::assert_snapshot!(
            format!("order_84_{tag}"),
            pretty(&rest::order::to_json(&order, &site, version))
        );
        insta::assert_snapshot!(
            format!("customer_2_{tag}"),
            pretty(&rest::customer::to_json(&customer, &site, version))
        );
        insta::assert_snapshot!(
            format!("product_simple_11_{tag}"),
            pretty(&rest::product::to_json(&simple, &site, version))
        );
        insta::assert_snapshot!(
            format!("product_variable_40_{tag}"),
            pretty(&rest::product::to_json(&variable, &site, version))
        );
        insta::assert_snapshot!(
            format!("product_variation_42_{tag}"),
            pretty(&rest::product::to_json(&variation, &site, version))
        );
    }
    insta::assert_snapshot!(
        "variation_endpoint_42_v3",
        pretty(&rest::variation::to_json(&variation, &site))
    );
}
