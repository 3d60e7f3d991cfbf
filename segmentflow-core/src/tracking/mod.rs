//! Tracking: the exact SDK configuration and script tags the plugin renders
//! for a visitor.
//!
//! On every front-end page of a connected site, Segmentflow Connect (v2.4.0)
//! enqueues the CDN SDK (`https://cdn.cloud.segmentflow.ai/v1/sdk.js`, handle
//! `segmentflow-sdk`, version = plugin version, in the head) and attaches one
//! `after` inline script built by string concatenation in
//! `Segmentflow_Tracking::enqueue_sdk()`: `config`, `window.__sf_config`,
//! `wpContext`, the integration context (WooCommerce), `init(config)` and,
//! for a visitor with a user id, `identify({userId, traits, context?})`.
//! With WooCommerce, `Segmentflow_WC_Tracking` adds the integration context
//! through the `segmentflow_tracking_context` filter and a `before` inline
//! script `window.__sf_wc = {…};`. Every PHP value goes through
//! `wp_json_encode`, which is why a `</script>` in a product name comes out
//! as `<\/script>` (see [`crate::wp_json`]). Default flags do not escape `<`,
//! so a value such as `<!--<script>` (for instance a `u` member of a
//! visitor-crafted `sf_id` cookie, echoed as `wpContext.userId`) reaches the
//! page verbatim and can put the HTML parser into its "double escaped" script
//! state; this module reproduces the plugin's bytes faithfully, hazard
//! included (see the `hostile_and_unicode_values_are_escaped` snapshot).
//!
//! [`build`] reproduces that output from plain inputs ([`TrackingInput`]);
//! [`SdkConfig`] is the same information as data, for inspection.
//!
//! ```
//! use segmentflow_core::tracking::{self, TrackingInput};
//!
//! let mut input = TrackingInput::new("wk_live_123", "https://api.segmentflow.ai", "https://shop.example");
//! input.locale = "en_US".into();
//! let html = tracking::build(&input).render();
//! assert!(html.starts_with(
//!     "<script src=\"https://cdn.cloud.segmentflow.ai/v1/sdk.js?ver=2.4.0\" id=\"segmentflow-sdk-js\"></script>\n"
//! ));
//! assert!(html.contains("\twindow.__sf_config = { writeKey: \"wk_live_123\", host: \"https:\\/\\/api.segmentflow.ai\" };\n"));
//! // Not connected (empty write key): nothing at all.
//! assert_eq!(tracking::build(&TrackingInput::new("", "https://api.segmentflow.ai", "https://shop.example")).render(), "");
//! ```
//!
//! Which parts are site facts the caller supplies: the cookies as PHP read
//! them (run [`crate::consent::ensure_anonymous_id`] first, as the plugin's
//! `init` hook does), the logged-in user, the WooCommerce page and cart.
//! Version notes: the WooCommerce context's `locale` member comes from the
//! reference for v2.4.0 and is not in the plugin sources stored with this
//! project (which end at `session_id`), hence [`WooCommerce::context_locale`]
//! is optional; the storefront bundle is printed only when the caller says
//! the file exists, as the plugin checks with `file_exists()`.

mod script;

pub use script::{InlinePosition, Placement, ScriptLoader, ScriptTag, Strategy, esc_attr, esc_js};

use crate::consent::{ConsentCookie, IdCookie, IdField, Platform, Side, prefixed_user_id, truthy};
use crate::wp_json;
use serde_json::{Map, Value, json};

/// The SDK's script handle.
pub const SDK_HANDLE: &str = "segmentflow-sdk";
/// The SDK's URL (before `?ver=`).
pub const SDK_SRC: &str = "https://cdn.cloud.segmentflow.ai/v1/sdk.js";
/// The storefront bundle's handle.
pub const STOREFRONT_HANDLE: &str = "segmentflow-storefront";
/// The storefront bundle's path inside the plugin directory.
pub const STOREFRONT_PATH: &str = "assets/js/storefront.iife.js";
/// The plugin version this module reproduces (`SEGMENTFLOW_VERSION`).
pub const PLUGIN_VERSION: &str = "2.4.0";

/// Everything that decides the plugin's tracking output for one page view.
#[derive(Debug, Clone, PartialEq)]
pub struct TrackingInput {
    /// `segmentflow_write_key`; empty means not connected (no output).
    pub write_key: String,
    /// `segmentflow_api_host`.
    pub api_host: String,
    /// `segmentflow_debug_mode`.
    pub debug: bool,
    /// `segmentflow_consent_required` ("Require Consent").
    pub consent_required: bool,
    /// `home_url()`.
    pub site_url: String,
    /// `get_locale()`, e.g. `en_US`.
    pub locale: String,
    /// `SEGMENTFLOW_VERSION`: the SDK's `?ver=` and the banner comment.
    pub plugin_version: String,
    /// The logged-in user, if any.
    pub user: Option<WpUser>,
    /// The identity PHP read at `init` (`sf_id`, or the legacy cookies).
    pub identity: Option<IdCookie>,
    /// The visitor's `sf_consent` decision (decides whether PHP rewrites `sf_id`).
    pub consent: Option<ConsentCookie>,
    /// WooCommerce, when it is active.
    pub woocommerce: Option<WooCommerce>,
    /// The storefront bundle, when its file exists.
    pub storefront: Option<StorefrontScript>,
    /// How the site prints script tags.
    pub loader: ScriptLoader,
}

impl TrackingInput {
    /// A plain-WordPress anonymous visit with the plugin's defaults.
    pub fn new(write_key: &str, api_host: &str, site_url: &str) -> Self {
        Self {
            write_key: write_key.to_owned(),
            api_host: api_host.to_owned(),
            debug: false,
            consent_required: false,
            site_url: site_url.to_owned(),
            locale: "en_US".to_owned(),
            plugin_version: PLUGIN_VERSION.to_owned(),
            user: None,
            identity: None,
            consent: None,
            woocommerce: None,
            storefront: None,
            loader: ScriptLoader::default(),
        }
    }

    /// Whether the site is connected (`! empty( $write_key )`).
    pub fn is_connected(&self) -> bool {
        !(self.write_key.is_empty() || self.write_key == "0")
    }
}

/// The logged-in WordPress user.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct WpUser {
    /// `ID` (the id in `wp_users`, not the WooCommerce lookup id).
    pub id: u64,
    /// `user_email`.
    pub email: String,
    /// `first_name` meta (not rendered by tracking; server events use it).
    pub first_name: String,
    /// `last_name` meta (not rendered by tracking; server events use it).
    pub last_name: String,
}

/// A WooCommerce page kind, as `get_page_type()` detects it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum WcPage {
    /// `is_product()`
    Product,
    /// `is_cart()`
    Cart,
    /// `is_checkout()` except the order-received endpoint.
    Checkout,
    /// `is_wc_endpoint_url( 'order-received' )` (the thank-you page).
    OrderReceived,
    /// `is_shop()`
    Shop,
    /// `is_product_category() || is_product_tag()`
    Category,
    /// Anything else.
    Other,
}

impl WcPage {
    /// The `page` value in `window.__sf_wc`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Product => "product",
            Self::Cart => "cart",
            Self::Checkout => "checkout",
            Self::OrderReceived => "thankyou",
            Self::Shop => "shop",
            Self::Category => "category",
            Self::Other => "other",
        }
    }

    /// `is_checkout()` (true on the order-received endpoint too).
    pub fn is_checkout(self) -> bool {
        matches!(self, Self::Checkout | Self::OrderReceived)
    }
}

/// WooCommerce state for the page view.
#[derive(Debug, Clone, PartialEq)]
pub struct WooCommerce {
    /// `segmentflow_wc_enabled`: when off, the plugin adds no WooCommerce
    /// context or page data (but WooCommerce's checkout rules still apply).
    pub integration_enabled: bool,
    /// The page kind.
    pub page: WcPage,
    /// `get_woocommerce_currency()`.
    pub currency: String,
    /// `WC()->cart->get_cart_hash()` (`""` for an empty cart), `None` without a cart.
    pub cart_hash: Option<String>,
    /// `WC()->session->get_customer_id()` (user id or 32-hex guest key), `None`
    /// without a session.
    pub session_id: Option<String>,
    /// The `locale` member of the integration context (v2.4.0 per the
    /// reference; `None` reproduces the stored sources, which lack it).
    pub context_locale: Option<String>,
    /// The product on a single-product page.
    pub product: Option<Product>,
    /// The cart, when not empty (sent on the cart and checkout pages).
    pub cart: Option<Cart>,
}

impl WooCommerce {
    /// WooCommerce with the integration on, on `page`.
    pub fn new(page: WcPage, currency: &str) -> Self {
        Self {
            integration_enabled: true,
            page,
            currency: currency.to_owned(),
            cart_hash: None,
            session_id: None,
            context_locale: None,
            product: None,
            cart: None,
        }
    }
}

/// `Segmentflow_WC_Helper::get_product_data()`.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Product {
    /// `get_id()`
    pub id: u64,
    /// `get_name()`
    pub name: String,
    /// `get_price()`: WooCommerce keeps prices as strings (`"19.99"`, `""`).
    pub price: String,
    /// `get_sku()`
    pub sku: String,
    /// Category names.
    pub categories: Vec<String>,
    /// Attachment URL of the main image, `""` when none.
    pub image_url: String,
    /// `get_permalink()`
    pub url: String,
    /// `get_type()` (`simple`, `variable`, …).
    pub kind: String,
}

/// `Segmentflow_WC_Helper::get_cart_data()`.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Cart {
    /// The lines.
    pub items: Vec<CartItem>,
    /// `get_total( 'raw' )` (a float).
    pub total: f64,
    /// `get_subtotal()` (a float).
    pub subtotal: f64,
    /// `get_cart_contents_count()`.
    pub item_count: u64,
    /// `get_cart_hash()`.
    pub cart_hash: String,
}

/// One cart line.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct CartItem {
    /// The cart item key (32 hex).
    pub cart_item_key: String,
    /// Parent product id.
    pub product_id: u64,
    /// Variation id, `0` for simple products.
    pub variation_id: u64,
    /// Product name.
    pub name: String,
    /// Quantity.
    pub quantity: u64,
    /// `get_price()` as a string.
    pub price: String,
    /// SKU.
    pub sku: String,
    /// Image URL or `""`.
    pub image_url: String,
    /// Permalink.
    pub url: String,
}

/// The storefront bundle (`assets/js/storefront.iife.js`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StorefrontScript {
    /// `SEGMENTFLOW_URL`: the plugin directory URL, with a trailing slash.
    pub plugin_url: String,
    /// `filemtime()` of the file, the script's version.
    pub version: String,
}

/// The `identify()` call the inline script makes, as data.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub struct IdentifyCall {
    /// `userId`
    pub user_id: Value,
    /// `traits`: `email` (except on checkout) and the integration traits.
    pub traits: Map<String, Value>,
    /// `context`: the integration context's `context`, when present.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub context: Option<Value>,
}

/// The configuration the plugin hands the SDK, as data.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SdkConfig {
    /// `config`: `{writeKey, host, debug, consentRequired}`.
    pub config: Value,
    /// `window.__sf_config`: `{writeKey, host}`.
    pub sf_config: Value,
    /// `wpContext`: `{siteUrl, userId, userEmail, anonymousId, locale}`.
    pub wp_context: Value,
    /// `window.__segmentflow_integration_context` (WooCommerce).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub integration_context: Option<Value>,
    /// `window.__sf_wc` (WooCommerce).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sf_wc: Option<Value>,
    /// The `identify()` call, if one runs.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub identify: Option<IdentifyCall>,
    /// The `sf_id` members PHP writes back on this request (logged-in user
    /// and a recorded consent decision).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub identity_cookie_write: Option<Map<String, Value>>,
}

/// The plugin's script output for one page view.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct TrackingSnippet {
    /// Tags in print order (head first, then footer).
    pub tags: Vec<ScriptTag>,
    /// The configuration behind them; `None` when not connected.
    pub config: Option<SdkConfig>,
    /// How to print the tags.
    #[serde(skip)]
    pub loader: ScriptLoader,
}

impl TrackingSnippet {
    /// The HTML of every tag, head then footer.
    pub fn render(&self) -> String {
        self.tags.iter().map(|t| t.render(self.loader)).collect()
    }

    /// The HTML printed in `wp_head` / `wp_footer`.
    pub fn render_placement(&self, placement: Placement) -> String {
        self.tags
            .iter()
            .filter(|t| t.placement() == placement)
            .map(|t| t.render(self.loader))
            .collect()
    }
}

/// Builds the SDK configuration (`None` when not connected).
pub fn sdk_config(input: &TrackingInput) -> Option<SdkConfig> {
    if !input.is_connected() {
        return None;
    }
    let wc = input.woocommerce.as_ref();
    let wc_integration = wc.filter(|w| w.integration_enabled);
    let integration_context = wc_integration.map(|w| integration_context(input, w));
    let platform = if integration_context.is_some() {
        Platform::WooCommerce
    } else {
        Platform::WordPress
    };

    let (user_id, user_email, identity_cookie_write) = match &input.user {
        Some(user) => {
            let id = prefixed_user_id(user.id, platform);
            let write = input.consent.is_some().then(|| {
                IdCookie::merged(
                    input.identity.as_ref(),
                    &[
                        (IdField::UserId, id.as_str()),
                        (IdField::Email, user.email.as_str()),
                    ],
                )
            });
            (Value::String(id), Value::String(user.email.clone()), write)
        }
        None => match &input.identity {
            Some(c) => (
                c.get(IdField::UserId).cloned().unwrap_or(Value::Null),
                c.get(IdField::Email).cloned().unwrap_or(Value::Null),
                None,
            ),
            None => (Value::Null, Value::Null, None),
        },
    };
    let anonymous_id = input
        .identity
        .as_ref()
        .and_then(|c| c.get(IdField::AnonymousId))
        .cloned()
        .unwrap_or(Value::Null);

    let config = json!({
        "writeKey": input.write_key,
        "host": input.api_host,
        "debug": input.debug,
        "consentRequired": input.consent_required,
    });
    let sf_config = json!({"writeKey": input.write_key, "host": input.api_host});
    let wp_context = json!({
        "siteUrl": input.site_url,
        "userId": user_id,
        "userEmail": user_email,
        "anonymousId": anonymous_id,
        "locale": input.locale,
    });

    let page = wc.map(|w| w.page);
    let identify =
        (truthy(&user_id, Side::Browser) && page != Some(WcPage::OrderReceived)).then(|| {
            let mut traits = Map::new();
            if !page.is_some_and(WcPage::is_checkout) && truthy(&user_email, Side::Browser) {
                traits.insert("email".into(), user_email.clone());
            }
            let ic = integration_context.as_ref();
            if let Some(Value::Object(extra)) = ic.and_then(|c| c.get("traits")) {
                for (k, v) in extra {
                    traits.insert(k.clone(), v.clone());
                }
            }
            IdentifyCall {
                user_id: user_id.clone(),
                traits,
                context: ic.and_then(|c| c.get("context")).cloned(),
            }
        });

    Some(SdkConfig {
        config,
        sf_config,
        wp_context,
        sf_wc: wc_integration.map(sf_wc),
        integration_context,
        identify,
        identity_cookie_write,
    })
}

/// `add_woocommerce_context()`: `{platform, traits, context}`.
fn integration_context(input: &TrackingInput, wc: &WooCommerce) -> Value {
    let mut context = Map::new();
    context.insert("store_url".into(), input.site_url.clone().into());
    context.insert("currency".into(), wc.currency.clone().into());
    context.insert(
        "cart_hash".into(),
        wc.cart_hash.clone().map_or(Value::Null, Value::String),
    );
    context.insert(
        "session_id".into(),
        wc.session_id.clone().map_or(Value::Null, Value::String),
    );
    if let Some(locale) = &wc.context_locale {
        context.insert("locale".into(), locale.clone().into());
    }
    json!({
        "platform": "woocommerce",
        "traits": {"woocommerce_customer_id": input.user.as_ref().map_or(0, |u| u.id)},
        "context": Value::Object(context),
    })
}

/// `inject_page_data()`: `{page, currency, product?, cart?}`.
fn sf_wc(wc: &WooCommerce) -> Value {
    let mut data = Map::new();
    data.insert("page".into(), wc.page.as_str().into());
    data.insert("currency".into(), wc.currency.clone().into());
    if wc.page == WcPage::Product
        && let Some(p) = &wc.product
    {
        data.insert(
            "product".into(),
            json!({
                "id": p.id,
                "name": p.name,
                "price": p.price,
                "sku": p.sku,
                "categories": p.categories,
                "image_url": p.image_url,
                "url": p.url,
                "type": p.kind,
            }),
        );
    }
    if matches!(wc.page, WcPage::Cart | WcPage::Checkout)
        && let Some(cart) = wc.cart.as_ref().filter(|c| !c.items.is_empty())
    {
        let items: Vec<Value> = cart
            .items
            .iter()
            .map(|i| {
                json!({
                    "cart_item_key": i.cart_item_key,
                    "product_id": i.product_id,
                    "variation_id": i.variation_id,
                    "name": i.name,
                    "quantity": i.quantity,
                    "price": i.price,
                    "sku": i.sku,
                    "image_url": i.image_url,
                    "url": i.url,
                })
            })
            .collect();
        data.insert(
            "cart".into(),
            json!({
                "items": items,
                "total": cart.total,
                "subtotal": cart.subtotal,
                "item_count": cart.item_count,
                "cart_hash": cart.cart_hash,
            }),
        );
    }
    Value::Object(data)
}

/// The `after` inline script, byte for byte as `enqueue_sdk()` concatenates it.
fn init_script(input: &TrackingInput, cfg: &SdkConfig) -> String {
    let enc = |v: &Value| wp_json::encode(v);
    let field = |obj: &Value, key: &str| enc(obj.get(key).unwrap_or(&Value::Null));
    let mut js = String::with_capacity(2048);
    js.push_str(&format!(
        "/* Segmentflow Connect v{} */\n",
        esc_js(&input.plugin_version)
    ));
    js.push_str("(function() {\n");
    js.push_str("\tif (typeof window.segmentflow === 'undefined') return;\n\n");

    js.push_str("\tvar config = {\n");
    js.push_str(&format!(
        "\t\twriteKey: {},\n",
        field(&cfg.config, "writeKey")
    ));
    js.push_str(&format!("\t\thost: {},\n", field(&cfg.config, "host")));
    js.push_str(&format!("\t\tdebug: {},\n", field(&cfg.config, "debug")));
    js.push_str(&format!(
        "\t\tconsentRequired: {}\n",
        field(&cfg.config, "consentRequired")
    ));
    js.push_str("\t};\n\n");

    js.push_str(&format!(
        "\twindow.__sf_config = {{ writeKey: {}, host: {} }};\n\n",
        field(&cfg.sf_config, "writeKey"),
        field(&cfg.sf_config, "host")
    ));

    js.push_str("\tvar wpContext = {\n");
    js.push_str(&format!(
        "\t\tsiteUrl: {},\n",
        field(&cfg.wp_context, "siteUrl")
    ));
    js.push_str(&format!(
        "\t\tuserId: {},\n",
        field(&cfg.wp_context, "userId")
    ));
    js.push_str(&format!(
        "\t\tuserEmail: {},\n",
        field(&cfg.wp_context, "userEmail")
    ));
    js.push_str(&format!(
        "\t\tanonymousId: {},\n",
        field(&cfg.wp_context, "anonymousId")
    ));
    js.push_str(&format!(
        "\t\tlocale: {}\n",
        field(&cfg.wp_context, "locale")
    ));
    js.push_str("\t};\n\n");

    let has_extra = cfg.integration_context.is_some();
    if let Some(ic) = &cfg.integration_context {
        js.push_str(&format!("\tvar integrationContext = {};\n", enc(ic)));
        js.push_str("\twindow.__segmentflow_integration_context = integrationContext;\n\n");
    }

    js.push_str("\twindow.segmentflow.init(config);\n\n");
    js.push_str("\tif (wpContext.userId) {\n");
    let page = input.woocommerce.as_ref().map(|w| w.page);
    if page != Some(WcPage::OrderReceived) {
        js.push_str("\t\tvar traits = {};\n");
        if !page.is_some_and(WcPage::is_checkout) {
            js.push_str("\t\tif (wpContext.userEmail) { traits.email = wpContext.userEmail; }\n");
        }
        if has_extra {
            js.push_str("\t\tif (typeof integrationContext !== 'undefined' && integrationContext.traits) {\n");
            js.push_str("\t\t\tObject.assign(traits, integrationContext.traits);\n");
            js.push_str("\t\t}\n");
        }
        js.push_str("\t\tvar identifyParams = { userId: wpContext.userId, traits: traits };\n");
        if has_extra {
            js.push_str("\t\tif (typeof integrationContext !== 'undefined' && integrationContext.context) {\n");
            js.push_str("\t\t\tidentifyParams.context = integrationContext.context;\n");
            js.push_str("\t\t}\n");
        }
        js.push_str("\t\twindow.segmentflow.identify(identifyParams);\n");
    }
    js.push_str("\t}\n");
    js.push_str("})();");
    js
}

/// `add_query_arg( 'ver', $ver, $src )` for a URL without a fragment or an
/// existing `ver` (the value is not encoded, as in WordPress).
fn with_ver(src: &str, ver: &str) -> String {
    if ver.is_empty() {
        return src.to_owned();
    }
    let sep = if src.contains('?') { '&' } else { '?' };
    format!("{src}{sep}ver={ver}")
}

/// Builds the plugin's script output for a page view.
pub fn build(input: &TrackingInput) -> TrackingSnippet {
    let Some(cfg) = sdk_config(input) else {
        return TrackingSnippet {
            tags: Vec::new(),
            config: None,
            loader: input.loader,
        };
    };
    let mut tags = Vec::with_capacity(4);
    if let Some(data) = &cfg.sf_wc {
        tags.push(ScriptTag::Inline {
            handle: SDK_HANDLE.to_owned(),
            position: InlinePosition::Before,
            code: format!("window.__sf_wc = {};", wp_json::encode(data)),
            placement: Placement::Head,
        });
    }
    tags.push(ScriptTag::External {
        handle: SDK_HANDLE.to_owned(),
        src: with_ver(SDK_SRC, &input.plugin_version),
        strategy: None,
        placement: Placement::Head,
    });
    tags.push(ScriptTag::Inline {
        handle: SDK_HANDLE.to_owned(),
        position: InlinePosition::After,
        code: init_script(input, &cfg),
        placement: Placement::Head,
    });
    if let Some(storefront) = &input.storefront {
        tags.push(ScriptTag::External {
            handle: STOREFRONT_HANDLE.to_owned(),
            src: with_ver(
                &format!("{}{STOREFRONT_PATH}", storefront.plugin_url),
                &storefront.version,
            ),
            strategy: Some(Strategy::Defer),
            placement: Placement::Footer,
        });
    }
    TrackingSnippet {
        tags,
        config: Some(cfg),
        loader: input.loader,
    }
}

#[cfg(test)]
mod tests;
