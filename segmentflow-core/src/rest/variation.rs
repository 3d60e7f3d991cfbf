//! `GET /wc/v3/products/<parent>/variations/<id>`: the variation JSON of
//! `WC_REST_Product_Variations_Controller` (v3). Webhooks do not carry this
//! shape (a variation's `product.updated` delivery carries the products
//! controller JSON, see [`super::product`]); it is here for callers that
//! list variations. The v2 variations shape is not implemented.

use super::format::{self, absint};
use super::links;
use super::product::{View, is_hidden_product_meta};
use crate::store::{ProductRecord, Site};
use serde_json::{Map, Value, json};

/// Maps a variation record to `GET /wc/v3/products/<parent>/variations/<id>`
/// (`WC_REST_Product_Variations_Controller`, v3 only).
pub fn to_json(variation: &ProductRecord, site: &Site) -> Value {
    let v = View::new(variation, site);
    let p = variation;
    let mut o = Map::new();
    o.insert("id".into(), json!(p.id));
    o.insert("type".into(), json!("variation"));
    v.date_pair(
        &mut o,
        "date_created",
        format::gmt_instant(p.date_created_gmt.as_deref()),
    );
    v.date_pair(
        &mut o,
        "date_modified",
        format::gmt_instant(p.date_modified_gmt.as_deref()),
    );
    o.insert("description".into(), json!(v.description()));
    o.insert("permalink".into(), json!(v.permalink()));
    o.insert("sku".into(), json!(v.sku()));
    o.insert("global_unique_id".into(), json!(v.m("_global_unique_id")));
    o.insert("price".into(), json!(v.price()));
    o.insert("regular_price".into(), json!(v.m("_regular_price")));
    let sale = v.m("_sale_price");
    o.insert(
        "sale_price".into(),
        json!(if sale == "0" { "" } else { sale }),
    );
    v.date_pair(
        &mut o,
        "date_on_sale_from",
        v.sale_date("_sale_price_dates_from"),
    );
    v.date_pair(
        &mut o,
        "date_on_sale_to",
        v.sale_date("_sale_price_dates_to"),
    );
    o.insert("on_sale".into(), json!(v.is_on_sale()));
    o.insert("status".into(), json!(p.status));
    o.insert("purchasable".into(), json!(v.purchasable()));
    o.insert("virtual".into(), json!(v.virtual_()));
    o.insert("downloadable".into(), json!(v.yes("_downloadable")));
    o.insert("downloads".into(), v.downloads());
    o.insert(
        "download_limit".into(),
        json!(v.download_setting("_download_limit")),
    );
    o.insert(
        "download_expiry".into(),
        json!(v.download_setting("_download_expiry")),
    );
    o.insert("tax_status".into(), json!(v.tax_status()));
    o.insert("tax_class".into(), json!(v.tax_class()));
    let managing = v.managing_stock_bool();
    o.insert("manage_stock".into(), v.managing_stock());
    let qty = v.stock_quantity();
    o.insert("stock_quantity".into(), qty.clone());
    let stock_status = v.stock_status();
    o.insert("stock_status".into(), json!(stock_status));
    o.insert("backorders".into(), json!(v.backorders()));
    let allowed = v.backorders_allowed();
    o.insert("backorders_allowed".into(), json!(allowed));
    let backordered = stock_status == "onbackorder"
        || (managing && allowed && qty.as_i64().is_some_and(|q| q < 0));
    o.insert("backordered".into(), json!(backordered));
    o.insert("low_stock_amount".into(), v.low_stock_amount());
    o.insert("weight".into(), json!(v.inherit("_weight")));
    o.insert(
        "dimensions".into(),
        json!({ "length": v.dimension("_length"), "width": v.dimension("_width"), "height": v.dimension("_height") }),
    );
    let class = v.shipping_class();
    o.insert(
        "shipping_class".into(),
        json!(class.map_or("", |c| c.slug.as_str())),
    );
    o.insert("shipping_class_id".into(), json!(class.map_or(0, |c| c.id)));
    let own_image = absint(v.m("_thumbnail_id"));
    let image = if own_image == 0 {
        Value::Null
    } else {
        v.attachment(own_image)
            .map_or(Value::Null, |a| v.image_json(a, None))
    };
    o.insert("image".into(), image);
    o.insert("attributes".into(), v.attributes());
    o.insert("menu_order".into(), json!(p.menu_order));
    o.insert(
        "meta_data".into(),
        format::meta_data(&p.meta, |k| is_hidden_product_meta(k, true)),
    );
    let name: Vec<String> = v
        .variation_attributes()
        .into_iter()
        .filter(|(_, value)| !value.is_empty())
        .map(|(key, value)| {
            let tax = key.trim_start_matches("attribute_");
            v.term_name(tax, &value)
                .unwrap_or_else(|| format::rawurldecode(&value))
        })
        .collect();
    o.insert("name".into(), json!(name.join(", ")));
    o.insert("parent_id".into(), json!(p.parent_id));
    let base = format!("/wc/v3/products/{}/variations", p.parent_id);
    o.insert(
        "_links".into(),
        links::links(&[
            ("self", links::rest_url(site, &format!("{base}/{}", p.id))),
            ("collection", links::rest_url(site, &base)),
            (
                "up",
                links::rest_url(site, &format!("/wc/v3/products/{}", p.parent_id)),
            ),
        ]),
    );
    Value::Object(o)
}
