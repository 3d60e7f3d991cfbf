//! Snapshot tests: the plugin's output for typical and hostile visitors.
//!
//! Each snapshot holds the rendered HTML followed by the [`SdkConfig`] as
//! JSON, so a reviewer sees both the bytes and what they mean.

use super::*;
use crate::consent::ConsentCookie;

const ANON: &str = "0192d5e4-7b3a-7c1d-8e2f-0123456789ab";
const SESSION: &str = "t_5f1c0a3e9b7d4c2a8e6f1b3d5a7c9e0f";
const CART_HASH: &str = "9e107d9d372bb6826bd81d3542a419d6";

fn base() -> TrackingInput {
    let mut input = TrackingInput::new(
        "wk_live_8f3a2c",
        "https://api.segmentflow.ai",
        "https://shop.example.com",
    );
    input.identity = Some(IdCookie::new(ANON));
    input
}

fn ada() -> WpUser {
    WpUser {
        id: 42,
        email: "ada@example.com".into(),
        first_name: "Ada".into(),
        last_name: "Lovelace".into(),
    }
}

fn hoodie() -> Product {
    Product {
        id: 31,
        name: "Hoodie with Logo".into(),
        price: "45".into(),
        sku: "woo-hoodie-logo".into(),
        categories: vec!["Clothing".into(), "Hoodies".into()],
        image_url: "https://shop.example.com/wp-content/uploads/2026/01/hoodie-with-logo.jpg"
            .into(),
        url: "https://shop.example.com/product/hoodie-with-logo/".into(),
        kind: "simple".into(),
    }
}

fn cart() -> Cart {
    Cart {
        items: vec![
            CartItem {
                cart_item_key: "c16a5320fa475530d9583c34fd356ef5".into(),
                product_id: 31,
                variation_id: 0,
                name: "Hoodie with Logo".into(),
                quantity: 2,
                price: "45".into(),
                sku: "woo-hoodie-logo".into(),
                image_url:
                    "https://shop.example.com/wp-content/uploads/2026/01/hoodie-with-logo.jpg"
                        .into(),
                url: "https://shop.example.com/product/hoodie-with-logo/".into(),
            },
            CartItem {
                cart_item_key: "6364d3f0f495b6ab9dcf8d3b5c6e0b01".into(),
                product_id: 12,
                variation_id: 27,
                name: "V-Neck T-Shirt - Red".into(),
                quantity: 1,
                price: "20.5".into(),
                sku: "woo-vneck-tee-red".into(),
                image_url: String::new(),
                url: "https://shop.example.com/product/v-neck-t-shirt/?attribute_pa_color=red"
                    .into(),
            },
        ],
        total: 115.5,
        subtotal: 110.5,
        item_count: 3,
        cart_hash: CART_HASH.into(),
    }
}

fn woo(page: WcPage) -> WooCommerce {
    let mut wc = WooCommerce::new(page, "EUR");
    wc.session_id = Some(SESSION.into());
    wc.cart_hash = Some(String::new());
    wc.context_locale = Some("en_US".into());
    wc
}

fn customer_with_cart(page: WcPage) -> TrackingInput {
    let mut input = base();
    input.user = Some(ada());
    input.consent = Some(ConsentCookie::new(true, false));
    let mut wc = woo(page);
    wc.session_id = Some("42".into());
    wc.cart_hash = Some(CART_HASH.into());
    wc.cart = Some(cart());
    input.woocommerce = Some(wc);
    input
}

fn snapshot_text(input: &TrackingInput) -> String {
    let snippet = build(input);
    let config = serde_json::to_string_pretty(&snippet.config).expect("serializable");
    format!("{}\n---- SdkConfig ----\n{config}\n", snippet.render())
}

#[test]
fn anonymous_visitor_plain_wordpress() {
    let input = base();
    let html = build(&input).render();
    assert!(html.contains("\t\tuserId: null,\n\t\tuserEmail: null,\n"));
    assert!(!html.contains("integrationContext"));
    insta::assert_snapshot!(snapshot_text(&input));
}

#[test]
fn logged_in_user_plain_wordpress() {
    let mut input = base();
    input.user = Some(ada());
    input.consent = Some(ConsentCookie::new(true, true));
    let snippet = build(&input);
    assert!(snippet.render().contains("\t\tuserId: \"wp_42\",\n"));
    let write = snippet
        .config
        .as_ref()
        .and_then(|c| c.identity_cookie_write.clone());
    assert_eq!(
        write.map(Value::Object),
        Some(json!({"a": ANON, "u": "wp_42", "e": "ada@example.com"}))
    );
    insta::assert_snapshot!(snapshot_text(&input));
}

#[test]
fn logged_in_without_consent_decision_writes_no_cookie() {
    let mut input = base();
    input.user = Some(ada());
    let cfg = sdk_config(&input).expect("connected");
    assert_eq!(cfg.identity_cookie_write, None);
    assert_eq!(cfg.wp_context["userId"], json!("wp_42"));
}

#[test]
fn consent_required_before_any_decision() {
    let mut input = base();
    input.consent_required = true;
    // No decision yet: PHP minted no anonymous id.
    input.identity = None;
    let html = build(&input).render();
    assert!(html.contains("\t\tconsentRequired: true\n"));
    assert!(html.contains("\t\tanonymousId: null,\n"));
    insta::assert_snapshot!(snapshot_text(&input));
}

#[test]
fn debug_mode_with_storefront_bundle() {
    let mut input = base();
    input.debug = true;
    input.api_host = "https://api.staging.segmentflow.ai".into();
    input.storefront = Some(StorefrontScript {
        plugin_url: "https://shop.example.com/wp-content/plugins/segmentflow-connect/".into(),
        version: "1767225600".into(),
    });
    let snippet = build(&input);
    assert!(
        snippet
            .render_placement(Placement::Footer)
            .contains(" defer data-wp-strategy=\"defer\"")
    );
    assert!(snippet.render().contains("\t\tdebug: true,\n"));
    insta::assert_snapshot!(snapshot_text(&input));
}

#[test]
fn woocommerce_guest_on_product_page() {
    let mut input = base();
    let mut wc = woo(WcPage::Product);
    wc.product = Some(hoodie());
    input.woocommerce = Some(wc);
    let html = build(&input).render();
    // The page data comes before the SDK tag, the init script after it.
    let before = html
        .find("segmentflow-sdk-js-before")
        .expect("before block");
    let tag = html.find("id=\"segmentflow-sdk-js\"").expect("sdk tag");
    let after = html.find("segmentflow-sdk-js-after").expect("after block");
    assert!(before < tag && tag < after);
    assert!(html.contains("\"woocommerce_customer_id\":0"));
    insta::assert_snapshot!(snapshot_text(&input));
}

#[test]
fn woocommerce_customer_with_cart_on_cart_page() {
    let input = customer_with_cart(WcPage::Cart);
    let snippet = build(&input);
    let html = snippet.render();
    assert!(html.contains("\t\tuserId: \"wc_42\",\n"));
    assert!(html.contains("if (wpContext.userEmail) { traits.email = wpContext.userEmail; }"));
    let identify = snippet.config.and_then(|c| c.identify).expect("identify");
    assert_eq!(
        Value::Object(identify.traits),
        json!({"email": "ada@example.com", "woocommerce_customer_id": 42})
    );
    insta::assert_snapshot!(snapshot_text(&input));
}

#[test]
fn woocommerce_checkout_omits_email_trait() {
    let input = customer_with_cart(WcPage::Checkout);
    let snippet = build(&input);
    assert!(!snippet.render().contains("traits.email"));
    let identify = snippet.config.and_then(|c| c.identify).expect("identify");
    assert_eq!(
        Value::Object(identify.traits),
        json!({"woocommerce_customer_id": 42})
    );
    insta::assert_snapshot!(snapshot_text(&input));
}

#[test]
fn woocommerce_order_received_has_no_identify() {
    let input = customer_with_cart(WcPage::OrderReceived);
    let snippet = build(&input);
    let html = snippet.render();
    assert!(!html.contains("identify("));
    assert!(html.contains("\tif (wpContext.userId) {\n\t}\n})();"));
    assert!(
        !html.contains("\"cart\":"),
        "no cart data on the thank-you page"
    );
    assert_eq!(snippet.config.and_then(|c| c.identify), None);
    insta::assert_snapshot!(snapshot_text(&input));
}

#[test]
fn woocommerce_integration_disabled_on_checkout() {
    let mut input = customer_with_cart(WcPage::Checkout);
    if let Some(wc) = input.woocommerce.as_mut() {
        wc.integration_enabled = false;
    }
    let html = build(&input).render();
    // Without the integration context the prefix falls back to wp_, but
    // WooCommerce's is_checkout() still drops the email trait.
    assert!(html.contains("\t\tuserId: \"wp_42\",\n"));
    assert!(!html.contains("__sf_wc"));
    assert!(!html.contains("traits.email"));
}

#[test]
fn hostile_and_unicode_values_are_escaped() {
    let mut input = base();
    input.locale = "ja".into();
    // A crafted sf_id cookie from a returning (not logged-in) visitor.
    let crafted = json!({
        "a": "</script><script>alert(1)</script>",
        "u": "<!--<script>",
        "e": "jos\u{e9}@\u{4f8b}\u{3048}.jp",
    });
    let Value::Object(members) = crafted else {
        unreachable!("literal object")
    };
    input.identity = Some(IdCookie::from_members(members, Side::Php).expect("has a"));
    let mut wc = woo(WcPage::Product);
    let mut product = hoodie();
    product.name = "Caf\u{e9} \u{2615} </script><script>alert(\"x\")</script> \u{1f600}".into();
    wc.product = Some(product);
    input.woocommerce = Some(wc);
    let html = build(&input).render();
    assert!(
        !html.contains("</script><script>"),
        "no raw closing tag from data"
    );
    assert!(html.contains(r#"<\/script><script>alert(1)<\/script>"#));
    assert!(html.contains(r"Caf\u00e9 \u2615 <\/script>"));
    assert!(html.contains(r"\ud83d\ude00"));
    insta::assert_snapshot!(snapshot_text(&input));
}

#[test]
fn not_connected_renders_nothing() {
    for key in ["", "0"] {
        let mut input = customer_with_cart(WcPage::Cart);
        input.write_key = key.into();
        let snippet = build(&input);
        assert_eq!(snippet.render(), "");
        assert!(snippet.tags.is_empty());
        assert_eq!(snippet.config, None);
    }
    insta::assert_snapshot!(snapshot_text(&TrackingInput::new(
        "",
        "https://api.segmentflow.ai",
        "https://shop.example.com"
    )));
}

#[test]
fn classic_theme_on_wordpress_6_9() {
    let mut input = base();
    input.loader = ScriptLoader {
        html5_script: false,
        source_url_comment: true,
    };
    let mut wc = woo(WcPage::Product);
    let mut product = hoodie();
    product.name = "Bracket ]]> Tee".into();
    wc.product = Some(product);
    input.woocommerce = Some(wc);
    input.storefront = Some(StorefrontScript {
        plugin_url: "https://shop.example.com/wp-content/plugins/segmentflow-connect/".into(),
        version: "1767225600".into(),
    });
    let html = build(&input).render();
    assert!(html.contains("Bracket ]]]]><![CDATA[> Tee"));
    assert!(html.contains("//# sourceURL=segmentflow-sdk-js-after\n/* ]]> */\n</script>\n"));
    insta::assert_snapshot!(build(&input).render());
}

#[test]
fn sdk_config_json_for_a_customer() {
    let cfg = sdk_config(&customer_with_cart(WcPage::Cart)).expect("connected");
    insta::assert_json_snapshot!(cfg);
}
