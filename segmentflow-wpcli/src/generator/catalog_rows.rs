//! Catalog rows: taxonomy terms, global attributes and tax rates (written
//! first), then — once the order stream has counted sales and coupon uses —
//! products, variations and coupons as posts with the postmeta WooCommerce's
//! product data store writes, their term relationships, and the product lookup
//! tables WooCommerce maintains on save.

use super::catalog::{self, Catalog, DiscountType, TAX_RATES};
use super::orders::{Tables, Tally};
use super::sql::SqlWriter;
use super::text;
use super::{GenerateError, GenerateOptions};

pub(super) fn write_terms(
    w: &mut SqlWriter<'_>,
    p: &str,
    catalog: &Catalog,
) -> Result<(), GenerateError> {
    let terms = w.table(format!("{p}terms"), "`term_id`,`name`,`slug`,`term_group`");
    let tt = w.table(
        format!("{p}term_taxonomy"),
        "`term_taxonomy_id`,`term_id`,`taxonomy`,`description`,`parent`,`count`",
    );
    for term in &catalog.terms {
        w.row(terms)
            .int(term.id as i64)
            .str(term.name)
            .str(term.slug)
            .int(0)
            .end()?;
        w.row(tt)
            .int(term.id as i64)
            .int(term.id as i64)
            .str(term.taxonomy)
            .str("")
            .int(term.parent as i64)
            .int(term.count as i64)
            .end()?;
    }
    let attrs = w.table(
        format!("{p}woocommerce_attribute_taxonomies"),
        "`attribute_id`,`attribute_name`,`attribute_label`,`attribute_type`,`attribute_orderby`,`attribute_public`",
    );
    for (id, name, label) in [(1, "color", "Color"), (2, "size", "Size")] {
        w.row(attrs)
            .int(id)
            .str(name)
            .str(label)
            .str("select")
            .str("menu_order")
            .int(0)
            .end()?;
    }
    let rates = w.table(
        format!("{p}woocommerce_tax_rates"),
        "`tax_rate_id`,`tax_rate_country`,`tax_rate_state`,`tax_rate`,`tax_rate_name`,`tax_rate_priority`,`tax_rate_compound`,`tax_rate_shipping`,`tax_rate_order`,`tax_rate_class`",
    );
    for (i, r) in TAX_RATES.iter().enumerate() {
        w.row(rates)
            .int(i64::from(r.id))
            .str(r.country)
            .str(r.state)
            .str(&r.rate_text())
            .str(r.name)
            .int(1)
            .int(0)
            .int(1)
            .int(i as i64)
            .str("")
            .end()?;
    }
    Ok(())
}

#[allow(clippy::too_many_arguments)]
fn post_row(
    w: &mut SqlWriter<'_>,
    t: &Tables,
    local: &dyn Fn(i64) -> i64,
    id: u64,
    created: i64,
    modified: i64,
    content: &str,
    title: &str,
    excerpt: &str,
    comments: &str,
    slug: &str,
    parent: u64,
    guid: &str,
    menu_order: i64,
    kind: &str,
) -> Result<(), GenerateError> {
    w.row(t.posts)
        .int(id as i64)
        .int(1)
        .str(&text::datetime(local(created)))
        .datetime(Some(created))
        .str(content)
        .str(title)
        .str(excerpt)
        .str("publish")
        .str(comments)
        .str("closed")
        .str("")
        .str(slug)
        .str("")
        .str("")
        .str(&text::datetime(local(modified)))
        .datetime(Some(modified))
        .str("")
        .int(parent as i64)
        .str(guid)
        .int(menu_order)
        .str(kind)
        .str("")
        .int(0)
        .end()
}

pub(super) fn write_catalog(
    w: &mut SqlWriter<'_>,
    t: &Tables,
    opts: &GenerateOptions,
    catalog: &Catalog,
    tally: &Tally,
    local: &dyn Fn(i64) -> i64,
) -> Result<(), GenerateError> {
    let p = opts.table_prefix.as_str();
    let site = opts.site_url.as_str();
    let rel = w.table(
        format!("{p}term_relationships"),
        "`object_id`,`term_taxonomy_id`,`term_order`",
    );
    let modified = opts.now - 86_400;
    let meta = |w: &mut SqlWriter<'_>, id: u64, k: &str, v: Option<&str>| {
        w.row(t.postmeta).int(id as i64).str(k).opt_str(v).end()
    };
    for (pi, product) in catalog.products.iter().enumerate() {
        let id = product.id;
        post_row(
            w,
            t,
            local,
            id,
            product.created,
            modified,
            &format!(
                "<p>{} — a staple of our collection.</p><p>Care: see label. Ships in 1–2 business days.</p>",
                product.name
            ),
            &product.name,
            product.excerpt,
            "open",
            &product.slug,
            0,
            &format!("{site}/product/{}/", product.slug),
            0,
            "product",
        )?;
        let sales = tally
            .product_sales
            .get(pi)
            .copied()
            .unwrap_or(0)
            .to_string();
        meta(w, id, "_sku", Some(&product.sku))?;
        if !product.is_variable() {
            meta(
                w,
                id,
                "_regular_price",
                Some(&text::money2(product.regular)),
            )?;
            if let Some(s) = product.sale {
                meta(w, id, "_sale_price", Some(&text::money2(s)))?;
            }
        }
        meta(w, id, "total_sales", Some(&sales))?;
        meta(w, id, "_tax_status", Some("taxable"))?;
        meta(w, id, "_tax_class", Some(""))?;
        let managed = product.stock.is_some();
        meta(
            w,
            id,
            "_manage_stock",
            Some(if managed { "yes" } else { "no" }),
        )?;
        meta(
            w,
            id,
            "_backorders",
            Some(if managed { "notify" } else { "no" }),
        )?;
        meta(w, id, "_sold_individually", Some("no"))?;
        if !product.is_variable() {
            for (k, v) in ["_weight", "_length", "_width", "_height"]
                .iter()
                .zip(product.dims)
            {
                meta(w, id, k, Some(v))?;
            }
        }
        meta(w, id, "_virtual", Some("no"))?;
        meta(w, id, "_downloadable", Some("no"))?;
        meta(w, id, "_download_limit", Some("-1"))?;
        meta(w, id, "_download_expiry", Some("-1"))?;
        let stock = product.stock.map(|s| format!("{}.000000", s.max(0)));
        meta(w, id, "_stock", stock.as_deref())?;
        meta(w, id, "_stock_status", Some("instock"))?;
        meta(w, id, "_wc_average_rating", Some("0"))?;
        meta(w, id, "_wc_review_count", Some("0"))?;
        if product.is_variable() {
            meta(
                w,
                id,
                "_product_attributes",
                Some(&product_attributes(product)),
            )?;
        }
        meta(w, id, "_product_version", Some("9.2.5"))?;
        if product.is_variable() {
            let mut prices: Vec<i64> = product
                .variations
                .iter()
                .map(|v| catalog::Product::active_price(v.regular, v.sale))
                .collect();
            prices.sort_unstable();
            prices.dedup();
            for price in prices {
                meta(w, id, "_price", Some(&text::money2(price)))?;
            }
        } else {
            meta(
                w,
                id,
                "_price",
                Some(&text::money2(catalog::Product::active_price(
                    product.regular,
                    product.sale,
                ))),
            )?;
        }
        // Taxonomies.
        let mut terms = vec![
            catalog.term(
                "product_type",
                if product.is_variable() {
                    "variable"
                } else {
                    "simple"
                },
            ),
            catalog.term("product_cat", product.category),
        ];
        terms.extend(
            product
                .tags
                .iter()
                .map(|tag| catalog.term("product_tag", tag)),
        );
        for a in product.attributes.iter().filter(|a| a.taxonomy) {
            terms.extend(a.values.iter().map(|&(_, slug)| catalog.term(a.key, slug)));
        }
        for term in terms.into_iter().flatten() {
            w.row(rel).int(id as i64).int(term.id as i64).int(0).end()?;
        }
        for (k, v) in product.variations.iter().enumerate() {
            let labels: Vec<&str> = v
                .values
                .iter()
                .zip(&product.attributes)
                .map(|(&i, a)| a.values[i].0)
                .collect();
            let excerpt: Vec<String> = v
                .values
                .iter()
                .zip(&product.attributes)
                .map(|(&i, a)| format!("{}: {}", a.label, a.values[i].0))
                .collect();
            let title = format!("{} - {}", product.name, labels.join(", "));
            let slug = format!(
                "{}-{}",
                product.slug,
                labels.join("-").to_lowercase().replace(' ', "-")
            );
            post_row(
                w,
                t,
                local,
                v.id,
                product.created + 60 * (k as i64 + 1),
                modified,
                "",
                &title,
                &excerpt.join(", "),
                "closed",
                &slug,
                id,
                &format!("{site}/?post_type=product_variation&p={}", v.id),
                k as i64 + 1,
                "product_variation",
            )?;
            let vid = v.id;
            meta(w, vid, "_variation_description", Some(""))?;
            meta(w, vid, "_sku", Some(&v.sku))?;
            meta(w, vid, "_regular_price", Some(&text::money2(v.regular)))?;
            meta(w, vid, "total_sales", Some("0"))?;
            meta(w, vid, "_tax_status", Some("taxable"))?;
            meta(w, vid, "_tax_class", Some("parent"))?;
            meta(w, vid, "_manage_stock", Some("yes"))?;
            meta(w, vid, "_backorders", Some("notify"))?;
            meta(w, vid, "_sold_individually", Some("no"))?;
            meta(w, vid, "_weight", Some(product.dims[0]))?;
            meta(w, vid, "_virtual", Some("no"))?;
            meta(w, vid, "_downloadable", Some("no"))?;
            meta(w, vid, "_download_limit", Some("-1"))?;
            meta(w, vid, "_download_expiry", Some("-1"))?;
            meta(w, vid, "_stock", Some(&v.stock.to_string()))?;
            meta(w, vid, "_stock_status", Some("instock"))?;
            meta(w, vid, "_wc_average_rating", Some("0"))?;
            meta(w, vid, "_wc_review_count", Some("0"))?;
            for (&i, a) in v.values.iter().zip(&product.attributes) {
                meta(w, vid, &format!("attribute_{}", a.key), Some(a.values[i].1))?;
            }
            meta(
                w,
                vid,
                "_price",
                Some(&text::money2(catalog::Product::active_price(
                    v.regular, v.sale,
                ))),
            )?;
            meta(w, vid, "_product_version", Some("9.2.5"))?;
            meta(w, vid, "_thumbnail_id", Some("0"))?;
            if let Some(s) = v.sale {
                meta(w, vid, "_sale_price", Some(&text::money2(s)))?;
            }
        }
    }
    write_product_lookups(w, p, catalog, tally)?;
    for (ci, c) in catalog.coupons.iter().enumerate() {
        let created = opts.now - 730 * 86_400 - 3 * 86_400;
        post_row(
            w,
            t,
            local,
            c.id,
            created,
            created,
            "",
            c.code,
            c.description,
            "closed",
            c.code,
            0,
            &format!("{site}/?post_type=shop_coupon&p={}", c.id),
            0,
            "shop_coupon",
        )?;
        let kind = match c.kind {
            DiscountType::Percent => "percent",
            DiscountType::FixedCart => "fixed_cart",
        };
        let uses = tally.coupon_uses[ci].to_string();
        for (k, v) in [
            ("discount_type", Some(kind)),
            ("coupon_amount", Some(c.amount.to_string().as_str())),
            ("individual_use", Some("no")),
            ("usage_limit", Some("0")),
            ("usage_limit_per_user", Some("0")),
            ("limit_usage_to_x_items", None),
            ("usage_count", Some(uses.as_str())),
            ("date_expires", None),
            ("free_shipping", Some("no")),
            ("exclude_sale_items", Some("no")),
        ] {
            meta(w, c.id, k, v)?;
        }
    }
    Ok(())
}

/// The product lookup tables WooCommerce maintains on save:
/// `wc_product_meta_lookup` (products and variations), `wc_category_lookup`
/// (category → itself and its descendants) and `wc_product_attributes_lookup`
/// (variations × their global attribute terms).
fn write_product_lookups(
    w: &mut SqlWriter<'_>,
    p: &str,
    catalog: &Catalog,
    tally: &Tally,
) -> Result<(), GenerateError> {
    let meta = w.table(
        format!("{p}wc_product_meta_lookup"),
        "`product_id`,`sku`,`global_unique_id`,`virtual`,`downloadable`,`min_price`,`max_price`,`onsale`,`stock_quantity`,`stock_status`,`rating_count`,`average_rating`,`total_sales`,`tax_status`,`tax_class`",
    );
    let row = |w: &mut SqlWriter<'_>,
               id: u64,
               sku: &str,
               min: i64,
               max: i64,
               onsale: bool,
               stock: Option<i64>,
               sales: i64,
               class: &str| {
        let r = w
            .row(meta)
            .int(id as i64)
            .str(sku)
            .str("")
            .int(0)
            .int(0)
            .money(min)
            .money(max)
            .int(i64::from(onsale));
        let r = match stock {
            Some(s) => r.int(s),
            None => r.null(),
        };
        r.str("instock")
            .int(0)
            .raw_text("0.00")
            .int(sales)
            .str("taxable")
            .str(class)
            .end()
    };
    for (pi, product) in catalog.products.iter().enumerate() {
        let sales = tally.product_sales.get(pi).copied().unwrap_or(0);
        if product.is_variable() {
            let prices = product
                .variations
                .iter()
                .map(|v| catalog::Product::active_price(v.regular, v.sale));
            let (min, max) =
                prices.fold((i64::MAX, i64::MIN), |(lo, hi), x| (lo.min(x), hi.max(x)));
            row(
                w,
                product.id,
                &product.sku,
                min,
                max,
                false,
                None,
                sales,
                "",
            )?;
            for v in &product.variations {
                let price = catalog::Product::active_price(v.regular, v.sale);
                row(
                    w,
                    v.id,
                    &v.sku,
                    price,
                    price,
                    v.sale.is_some(),
                    Some(v.stock),
                    0,
                    "parent",
                )?;
            }
        } else {
            let price = catalog::Product::active_price(product.regular, product.sale);
            row(
                w,
                product.id,
                &product.sku,
                price,
                price,
                product.sale.is_some(),
                product.stock,
                sales,
                "",
            )?;
        }
    }
    let cats = w.table(
        format!("{p}wc_category_lookup"),
        "`category_tree_id`,`category_id`",
    );
    for t in catalog
        .terms
        .iter()
        .filter(|t| t.taxonomy == "product_cat" && t.slug != "uncategorized")
    {
        // Ancestors-or-self of `t`, each paired with `t`.
        let mut node = Some(t);
        while let Some(n) = node {
            w.row(cats).int(n.id as i64).int(t.id as i64).end()?;
            node = catalog
                .terms
                .iter()
                .find(|x| x.id == n.parent && n.parent != 0);
        }
    }
    let attrs = w.table(
        format!("{p}wc_product_attributes_lookup"),
        "`product_id`,`product_or_parent_id`,`taxonomy`,`term_id`,`is_variation_attribute`,`in_stock`",
    );
    for product in &catalog.products {
        for v in &product.variations {
            for (&k, a) in v
                .values
                .iter()
                .zip(&product.attributes)
                .filter(|(_, a)| a.taxonomy)
            {
                if let Some(term) = catalog.term(a.key, a.values[k].1) {
                    w.row(attrs)
                        .int(v.id as i64)
                        .int(product.id as i64)
                        .str(a.key)
                        .int(term.id as i64)
                        .int(1)
                        .int(1)
                        .end()?;
                }
            }
        }
    }
    Ok(())
}

/// `_product_attributes` of a variable product, serialized as WooCommerce does.
fn product_attributes(product: &catalog::Product) -> String {
    use std::fmt::Write as _;
    let mut s = format!("a:{}:{{", product.attributes.len());
    for (pos, a) in product.attributes.iter().enumerate() {
        text::ser_str(&mut s, a.key);
        s.push_str("a:6:{");
        text::ser_str(&mut s, "name");
        text::ser_str(&mut s, if a.taxonomy { a.key } else { a.label });
        text::ser_str(&mut s, "value");
        let value = if a.taxonomy {
            String::new()
        } else {
            a.values.iter().map(|v| v.0).collect::<Vec<_>>().join(" | ")
        };
        text::ser_str(&mut s, &value);
        let _ = write!(
            s,
            "s:8:\"position\";i:{pos};s:10:\"is_visible\";i:1;s:12:\"is_variation\";i:1;s:11:\"is_taxonomy\";i:{};}}",
            i32::from(a.taxonomy)
        );
    }
    s.push('}');
    s
}
