//! The store's catalog: tax rates, taxonomy terms, simple and variable products
//! (global attributes `pa_color`/`pa_size` and one product with local
//! attributes), coupons and shipping methods — modelled on the real
//! WooCommerce 9.2.5 store in `fixtures/`, and scaled up with generated filler
//! products when more are asked for.

use super::catalog_data::{FILLER_ADJ, FILLER_NOUN, SIMPLE, TERMS, VARIABLE};
use super::rng::Rng;

/// A tax rate row of `woocommerce_tax_rates` (priority 1, not compound, applies to shipping).
pub struct TaxRate {
    /// `tax_rate_id`.
    pub id: u32,
    /// ISO country.
    pub country: &'static str,
    /// State code or `""`.
    pub state: &'static str,
    /// Percent × 10 000 (`8.8750` % → 88 750).
    pub rate_e4: i64,
    /// `tax_rate_name` (the tax line's `label`).
    pub name: &'static str,
}

impl TaxRate {
    /// `tax_rate` column text (`8.8750`).
    pub fn rate_text(&self) -> String {
        format!("{}.{:04}", self.rate_e4 / 10_000, self.rate_e4 % 10_000)
    }

    /// The tax line's `rate_percent` meta (`8.875`, `10`).
    pub fn percent_text(&self) -> String {
        let mut s = self.rate_text();
        while s.ends_with('0') {
            s.pop();
        }
        if s.ends_with('.') {
            s.pop();
        }
        s
    }

    /// The tax line's item name, WooCommerce's rate code: `US-NY-NY STATE TAX-1`, `GB-VAT-1`.
    pub fn code(&self) -> String {
        let mut parts = vec![self.country.to_owned()];
        if !self.state.is_empty() {
            parts.push(self.state.to_owned());
        }
        parts.push(self.name.to_ascii_uppercase());
        parts.push("1".to_owned());
        parts.join("-")
    }
}

/// The store's tax rates (the real store's eleven).
pub const TAX_RATES: &[TaxRate] = &[
    TaxRate {
        id: 1,
        country: "US",
        state: "NY",
        rate_e4: 88_750,
        name: "NY State Tax",
    },
    TaxRate {
        id: 2,
        country: "US",
        state: "CA",
        rate_e4: 72_500,
        name: "CA State Tax",
    },
    TaxRate {
        id: 3,
        country: "US",
        state: "TX",
        rate_e4: 62_500,
        name: "TX State Tax",
    },
    TaxRate {
        id: 4,
        country: "CA",
        state: "ON",
        rate_e4: 130_000,
        name: "HST",
    },
    TaxRate {
        id: 5,
        country: "GB",
        state: "",
        rate_e4: 200_000,
        name: "VAT",
    },
    TaxRate {
        id: 6,
        country: "DE",
        state: "",
        rate_e4: 190_000,
        name: "MwSt.",
    },
    TaxRate {
        id: 7,
        country: "FR",
        state: "",
        rate_e4: 200_000,
        name: "TVA",
    },
    TaxRate {
        id: 8,
        country: "ES",
        state: "",
        rate_e4: 210_000,
        name: "IVA",
    },
    TaxRate {
        id: 9,
        country: "PL",
        state: "",
        rate_e4: 230_000,
        name: "VAT",
    },
    TaxRate {
        id: 10,
        country: "JP",
        state: "",
        rate_e4: 100_000,
        name: "消費税",
    },
    TaxRate {
        id: 11,
        country: "AU",
        state: "",
        rate_e4: 100_000,
        name: "GST",
    },
];

/// The rate WooCommerce would match for an address (country + state), if any.
pub fn tax_rate_for(country: &str, state: &str) -> Option<&'static TaxRate> {
    TAX_RATES
        .iter()
        .find(|r| r.country == country && (r.state.is_empty() || r.state == state))
}

/// A shipping method as it appears on an order's shipping line.
pub struct ShippingMethod {
    /// Line name.
    pub title: &'static str,
    /// `method_id`.
    pub method_id: &'static str,
    /// `instance_id`.
    pub instance_id: u32,
    /// Cost in cents.
    pub cost: i64,
    /// `cost` meta as the zone settings hold it.
    pub cost_text: &'static str,
}

/// Shipping methods with their relative frequency in orders.
pub const SHIPPING: &[(ShippingMethod, u32)] = &[
    (
        ShippingMethod {
            title: "Flat rate",
            method_id: "flat_rate",
            instance_id: 1,
            cost: 599,
            cost_text: "5.99",
        },
        66,
    ),
    (
        ShippingMethod {
            title: "Free shipping",
            method_id: "free_shipping",
            instance_id: 2,
            cost: 0,
            cost_text: "0",
        },
        17,
    ),
    (
        ShippingMethod {
            title: "Express (1–2 days)",
            method_id: "flat_rate",
            instance_id: 3,
            cost: 1490,
            cost_text: "14.90",
        },
        17,
    ),
];

/// How a coupon discounts.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum DiscountType {
    /// Percentage of the cart.
    Percent,
    /// A fixed amount off the cart.
    FixedCart,
}

/// A `shop_coupon`.
pub struct Coupon {
    /// Post id.
    pub id: u64,
    /// Code (post title).
    pub code: &'static str,
    /// Description (post excerpt).
    pub description: &'static str,
    /// Discount type.
    pub kind: DiscountType,
    /// Percent, or whole currency units for fixed coupons.
    pub amount: i64,
}

/// A taxonomy term (`terms` + `term_taxonomy`).
pub struct Term {
    /// `term_id` (= `term_taxonomy_id` here).
    pub id: u64,
    /// Name as WordPress stores it (`&amp;` escaped).
    pub name: &'static str,
    /// Slug.
    pub slug: &'static str,
    /// Taxonomy.
    pub taxonomy: &'static str,
    /// Parent term id or 0.
    pub parent: u64,
    /// Objects attached (`count`).
    pub count: u64,
}

/// A product attribute (global `pa_*` taxonomy or local).
pub struct Attribute {
    /// Meta key: `pa_color`, or the sanitized local name (`bag-size`).
    pub key: &'static str,
    /// Label: `Color`, `Bag size`.
    pub label: &'static str,
    /// Whether it is a global taxonomy attribute.
    pub taxonomy: bool,
    /// Values (name, slug) this product uses.
    pub values: Vec<(&'static str, &'static str)>,
}

/// A product variation.
pub struct Variation {
    /// Post id.
    pub id: u64,
    /// SKU.
    pub sku: String,
    /// Regular price in cents.
    pub regular: i64,
    /// Sale price in cents.
    pub sale: Option<i64>,
    /// Managed stock quantity.
    pub stock: i64,
    /// One value index per attribute of the parent.
    pub values: Vec<usize>,
}

/// A product (simple or variable).
pub struct Product {
    /// Post id.
    pub id: u64,
    /// Name.
    pub name: String,
    /// Slug.
    pub slug: String,
    /// SKU.
    pub sku: String,
    /// Regular price in cents (simple only).
    pub regular: i64,
    /// Sale price in cents (simple only).
    pub sale: Option<i64>,
    /// Category slug.
    pub category: &'static str,
    /// Tag slugs.
    pub tags: Vec<&'static str>,
    /// Managed stock (simple only).
    pub stock: Option<i64>,
    /// Weight, length, width, height (simple only).
    pub dims: [&'static str; 4],
    /// Attributes (variable only).
    pub attributes: Vec<Attribute>,
    /// Variations (variable only).
    pub variations: Vec<Variation>,
    /// Relative popularity.
    pub popularity: u32,
    /// Short description.
    pub excerpt: &'static str,
    /// Creation time (Unix).
    pub created: i64,
}

impl Product {
    /// Whether this is a variable product.
    pub fn is_variable(&self) -> bool {
        !self.variations.is_empty()
    }

    /// The active price of a simple product or variation.
    pub fn active_price(regular: i64, sale: Option<i64>) -> i64 {
        sale.unwrap_or(regular)
    }
}

/// Something that can be put in a cart: a simple product or one variation.
pub struct Unit {
    /// Index in [`Catalog::products`].
    pub product: usize,
    /// Index in that product's variations.
    pub variation: Option<usize>,
    /// Line item name (`Classic Crew T-Shirt - Red, M`).
    pub name: String,
    /// Price in cents.
    pub price: i64,
    /// Whether stock is managed (line items then get `_reduced_stock`).
    pub managed_stock: bool,
    /// Variation attribute item meta (key, value).
    pub item_meta: Vec<(&'static str, &'static str)>,
}

/// The whole catalog.
pub struct Catalog {
    /// Terms in id order.
    pub terms: Vec<Term>,
    /// Products in id order.
    pub products: Vec<Product>,
    /// Coupons.
    pub coupons: Vec<Coupon>,
    /// Sellable units.
    pub units: Vec<Unit>,
    /// Cumulative unit weights for picking.
    cumulative: Vec<u64>,
    /// Next free post id after products and coupons.
    pub next_post_id: u64,
}

fn slugify(name: &str) -> String {
    let mut out = String::new();
    for ch in name.chars() {
        let c = match ch {
            'é' | 'è' | 'ê' => 'e',
            'ï' | 'î' => 'i',
            'à' | 'â' => 'a',
            c if c.is_ascii_alphanumeric() => c.to_ascii_lowercase(),
            _ => '-',
        };
        if c == '-' && (out.is_empty() || out.ends_with('-')) {
            continue;
        }
        out.push(c);
    }
    while out.ends_with('-') {
        out.pop();
    }
    if out.is_empty() {
        "product".to_owned()
    } else {
        out
    }
}

impl Catalog {
    /// Builds the catalog: `simple` simple products (the real store's list, then
    /// filler) plus the five variable products; post ids from `first_post_id`,
    /// term ids from `first_term_id`; products created between `start - 400 d`
    /// and `start - 30 d`.
    pub fn build(
        seed: u64,
        simple: usize,
        first_post_id: u64,
        first_term_id: u64,
        start: i64,
    ) -> Catalog {
        let mut rng = Rng::stream(seed, 0xCA7A, 0);
        let mut terms: Vec<Term> = Vec::new();
        for (i, &(name, slug, taxonomy, parent)) in TERMS.iter().enumerate() {
            let parent_id = terms
                .iter()
                .find(|t| t.slug == parent && t.taxonomy == taxonomy)
                .map_or(0, |t| t.id);
            terms.push(Term {
                id: first_term_id + i as u64,
                name,
                slug,
                taxonomy,
                parent: parent_id,
                count: 0,
            });
        }
        let mut next = first_post_id;
        let mut products = Vec::new();
        let created = |rng: &mut Rng| start - rng.range(30, 400) * 86_400 - rng.range(0, 86_399);
        let mut order: Vec<(bool, usize)> = Vec::new();
        // Interleave: simple products first, a variable product every sixth slot.
        let mut v = 0;
        for i in 0..simple {
            order.push((false, i));
            if i % 6 == 5 && v < VARIABLE.len() {
                order.push((true, v));
                v += 1;
            }
        }
        while v < VARIABLE.len() {
            order.push((true, v));
            v += 1;
        }
        for (variable, i) in order {
            if !variable {
                let p = if let Some(s) = SIMPLE.get(i) {
                    Product {
                        id: next,
                        name: s.0.to_owned(),
                        slug: slugify(s.0),
                        sku: s.1.to_owned(),
                        regular: s.2,
                        sale: s.3,
                        category: s.4,
                        tags: s.5.to_vec(),
                        stock: s.6,
                        dims: s.9,
                        attributes: Vec::new(),
                        variations: Vec::new(),
                        popularity: s.7,
                        excerpt: s.8,
                        created: created(&mut rng),
                    }
                } else {
                    let adj = FILLER_ADJ[i % FILLER_ADJ.len()];
                    let noun = FILLER_NOUN[(i / FILLER_ADJ.len()) % FILLER_NOUN.len()];
                    let name = format!("{adj} {noun} No. {i}");
                    Product {
                        id: next,
                        slug: slugify(&name),
                        sku: format!("GEN-{i:06}"),
                        name,
                        regular: rng.range(5, 120) * 100 + [0, 50, 99][rng.below(3) as usize],
                        sale: None,
                        category: ["accessories", "home-kitchen", "apparel", "books"][i % 4],
                        tags: Vec::new(),
                        stock: if rng.chance(0.4) {
                            Some(rng.range(20, 500))
                        } else {
                            None
                        },
                        dims: ["0.3", "20", "15", "5"],
                        attributes: Vec::new(),
                        variations: Vec::new(),
                        popularity: 1,
                        excerpt: "A dependable everyday item.",
                        created: created(&mut rng),
                    }
                };
                next += 1;
                products.push(p);
            } else {
                let s = &VARIABLE[i];
                let id = next;
                next += 1;
                let attributes: Vec<Attribute> = s
                    .attrs
                    .iter()
                    .map(|&(key, label, taxonomy, values)| Attribute {
                        key,
                        label,
                        taxonomy,
                        values: values.to_vec(),
                    })
                    .collect();
                let mut combos: Vec<Vec<usize>> = vec![Vec::new()];
                for a in &attributes {
                    combos = combos
                        .into_iter()
                        .flat_map(|c| {
                            (0..a.values.len()).map(move |k| {
                                let mut c = c.clone();
                                c.push(k);
                                c
                            })
                        })
                        .collect();
                }
                let variations = combos
                    .into_iter()
                    .enumerate()
                    .map(|(k, values)| {
                        let suffix: Vec<String> = values
                            .iter()
                            .zip(&attributes)
                            .map(|(&vi, a)| a.values[vi].1.to_ascii_uppercase().replace(' ', ""))
                            .collect();
                        let regular =
                            s.prices[values.last().copied().unwrap_or(k) % s.prices.len()];
                        let var = Variation {
                            id: next,
                            sku: format!("{}-{}", s.sku, suffix.join("-")),
                            regular,
                            sale: if k == 1 {
                                Some(regular - regular / 5)
                            } else {
                                None
                            },
                            stock: rng.range(50, 6000),
                            values,
                        };
                        next += 1;
                        var
                    })
                    .collect();
                products.push(Product {
                    id,
                    name: s.name.to_owned(),
                    slug: slugify(s.name),
                    sku: s.sku.to_owned(),
                    regular: 0,
                    sale: None,
                    category: s.category,
                    tags: s.tags.to_vec(),
                    stock: None,
                    dims: [s.weight, "", "", ""],
                    attributes,
                    variations,
                    popularity: s.popularity,
                    excerpt: "Available in several options.",
                    created: created(&mut rng),
                });
            }
        }
        let coupons = vec![
            Coupon {
                id: next,
                code: "welcome10",
                description: "Welcome discount for new customers",
                kind: DiscountType::Percent,
                amount: 10,
            },
            Coupon {
                id: next + 1,
                code: "save5",
                description: "5 off any order",
                kind: DiscountType::FixedCart,
                amount: 5,
            },
            Coupon {
                id: next + 2,
                code: "vip20",
                description: "VIP customers",
                kind: DiscountType::Percent,
                amount: 20,
            },
        ];
        next += 3;

        // Term counts.
        for p in &products {
            let mut bump = |slug: &str, tax: &str| {
                if let Some(t) = terms
                    .iter_mut()
                    .find(|t| t.slug == slug && t.taxonomy == tax)
                {
                    t.count += 1;
                }
            };
            bump(
                if p.is_variable() {
                    "variable"
                } else {
                    "simple"
                },
                "product_type",
            );
            bump(p.category, "product_cat");
            for tag in &p.tags {
                bump(tag, "product_tag");
            }
            for a in p.attributes.iter().filter(|a| a.taxonomy) {
                for &(_, slug) in &a.values {
                    bump(slug, a.key);
                }
            }
        }

        let mut units = Vec::new();
        for (pi, p) in products.iter().enumerate() {
            if p.variations.is_empty() {
                units.push(Unit {
                    product: pi,
                    variation: None,
                    name: p.name.clone(),
                    price: Product::active_price(p.regular, p.sale),
                    managed_stock: p.stock.is_some(),
                    item_meta: Vec::new(),
                });
            }
            for (vi, v) in p.variations.iter().enumerate() {
                let labels: Vec<&str> = v
                    .values
                    .iter()
                    .zip(&p.attributes)
                    .map(|(&k, a)| a.values[k].0)
                    .collect();
                units.push(Unit {
                    product: pi,
                    variation: Some(vi),
                    name: format!("{} - {}", p.name, labels.join(", ")),
                    price: Product::active_price(v.regular, v.sale),
                    managed_stock: true,
                    item_meta: v
                        .values
                        .iter()
                        .zip(&p.attributes)
                        .map(|(&k, a)| (a.key, a.values[k].1))
                        .collect(),
                });
            }
        }
        let mut cumulative = Vec::with_capacity(units.len());
        let mut acc = 0u64;
        for u in &units {
            let p = &products[u.product];
            let per = u64::from(p.popularity) * 12 / (p.variations.len().max(1) as u64);
            acc += per.max(1);
            cumulative.push(acc);
        }
        Catalog {
            terms,
            products,
            coupons,
            units,
            cumulative,
            next_post_id: next,
        }
    }

    /// Picks a sellable unit, weighted by popularity.
    pub fn pick_unit(&self, rng: &mut Rng) -> usize {
        let total = self.cumulative.last().copied().unwrap_or(0);
        let x = rng.below(total);
        self.cumulative
            .partition_point(|&c| c <= x)
            .min(self.units.len().saturating_sub(1))
    }

    /// The term with `slug` in `taxonomy`.
    pub fn term(&self, taxonomy: &str, slug: &str) -> Option<&Term> {
        self.terms
            .iter()
            .find(|t| t.taxonomy == taxonomy && t.slug == slug)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tax_rate_texts() {
        let ny = &TAX_RATES[0];
        assert_eq!(
            (ny.rate_text(), ny.percent_text(), ny.code()),
            (
                "8.8750".into(),
                "8.875".into(),
                "US-NY-NY STATE TAX-1".into()
            )
        );
        let jp = &TAX_RATES[9];
        assert_eq!(
            (jp.percent_text(), jp.code()),
            ("10".into(), "JP-消費税-1".into())
        );
        assert_eq!(TAX_RATES[5].code(), "DE-MWST.-1");
        assert!(tax_rate_for("US", "OR").is_none());
        assert_eq!(tax_rate_for("FR", "").map(|r| r.id), Some(7));
    }

    #[test]
    fn catalog_shape() {
        let c = Catalog::build(1, 30, 10, 2, 1_700_000_000);
        assert_eq!(c.products.iter().filter(|p| !p.is_variable()).count(), 30);
        assert_eq!(c.products.iter().filter(|p| p.is_variable()).count(), 5);
        assert!(c.products.iter().any(|p| p.sku == "TSHIRT-RED"));
        for cat in ["accessories", "shoes", "hoodies"] {
            assert!(
                c.term("product_cat", cat).is_some_and(|t| t.count > 0),
                "{cat}"
            );
        }
        let tee = c
            .units
            .iter()
            .find(|u| u.name == "Classic Crew T-Shirt - Red, M")
            .expect("variation unit");
        assert_eq!(tee.item_meta, vec![("pa_color", "red"), ("pa_size", "m")]);
        let mut ids: Vec<u64> = c
            .products
            .iter()
            .flat_map(|p| std::iter::once(p.id).chain(p.variations.iter().map(|v| v.id)))
            .collect();
        ids.extend(c.coupons.iter().map(|c| c.id));
        let n = ids.len();
        ids.dedup();
        assert_eq!(ids.len(), n);
        assert_eq!(c.next_post_id, 10 + n as u64);
    }
}
