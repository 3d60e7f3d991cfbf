//! The brand kit: what Segmentflow's brand-aware templates pull from a site
//! — its name and tagline, logo and icon URLs, colour palette and the
//! photos of its best-selling products — computed from values the binary
//! reads (options, theme mods, the global styles post, `theme.json` text,
//! attachment rows, [`OrderFact`]s). Nothing here does I/O.
//!
//! # Where each part comes from
//!
//! * **Name, tagline**: the `blogname` and `blogdescription` options, as
//!   stored (WordPress keeps them HTML-escaped, e.g. `&amp;`; they are
//!   passed on unchanged, as `get_bloginfo('name', 'raw')` returns them).
//! * **Logo**: the `custom_logo` entry of the `theme_mods_<stylesheet>`
//!   option (a PHP-serialized array), an attachment id.
//! * **Site icon**: the `site_icon` option, an attachment id.
//! * **Attachment URLs** follow `wp_get_attachment_url()`: the row must be
//!   an `attachment` post; its `_wp_attached_file` is joined to the uploads
//!   base URL (an absolute path containing `wp-content/uploads` keeps the
//!   part after it); without a usable file the `guid` is the URL. The
//!   uploads base URL follows `_wp_upload_dir()` ([`UploadSettings`]):
//!   the `upload_url_path` option when set; else `WP_CONTENT_URL/uploads`
//!   (by default `<siteurl>/wp-content/uploads`) when `upload_path` is
//!   empty, `wp-content/uploads` or absolute; else `<siteurl>/<upload_path>`;
//!   the `UPLOADS` constant, when defined, gives `<siteurl>/<UPLOADS>`; a
//!   sub-site of a multisite network adds `/sites/<blog id>`. (Networks
//!   still on pre-3.5 `ms-files` rewriting are not handled.) The logo and
//!   icon are the full-size file: the URL the attachment itself has, not a
//!   resized copy.
//! * **Palette**, in this order, each colour labelled with its origin:
//!   1. *theme* colours: those the user saved for the theme in the Site
//!      Editor (`settings.color.palette.theme` of the `wp_global_styles`
//!      post of the active stylesheet), else the theme's own `theme.json`
//!      `settings.color.palette`, else the parent theme's (a child theme
//!      that defines a palette replaces its parent's, as WordPress merges
//!      presets);
//!   2. *custom* colours the user added (`settings.color.palette.custom` of
//!      that post; a bare array there counts as custom);
//!   3. *theme mod* colours of classic themes: `background_color`,
//!      `header_textcolor` (unless `blank`) and every other theme mod whose
//!      name ends in `color`/`colour` and whose value is a hex colour.
//!      Hex values are written `#rrggbb` style, lower-cased, `#` added when
//!      the theme mod stores it bare (as `background_color` does).
//!
//!   WordPress's own default palette is not included: it is the same on
//!   every site and says nothing about the brand.
//! * **Top product photos**: products ranked by the line totals (after
//!   discounts, before tax) of **paid** orders ([`is_paid_status`]) in the
//!   store's currency only — amounts of other currencies cannot be added
//!   to them — largest first (ties: more units, then the lower id); order
//!   refunds are not allocated to lines. A variation's sales count for its
//!   parent product. Each product's photo is its `_thumbnail_id`
//!   attachment; products without one (or whose attachment is gone) are
//!   skipped, so `top` photos are taken from as far down the ranking as
//!   needed.
//!
//! A source that cannot be read (a corrupt theme mods value, invalid JSON)
//! does not stop the kit: it is left out and reported in
//! [`BrandKit::problems`].

use std::collections::HashMap;

use serde::Serialize;

use super::input::OrderFact;
use super::money::Money;
use super::paid::is_paid_status;

/// A source of the brand kit that could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum BrandError {
    /// The `theme_mods_<stylesheet>` option is not a serialized array.
    #[error("option {option}: {problem}")]
    ThemeMods {
        /// The option name.
        option: String,
        /// What is wrong with it.
        problem: String,
    },
    /// A JSON document (global styles post, theme.json) does not parse.
    #[error("{source_name}: invalid JSON: {message}")]
    Json {
        /// Which document (`wp_global_styles post 12`, `theme.json of twentyfour`).
        source_name: String,
        /// serde_json's message (with its line and column).
        message: String,
        /// 1-based line.
        line: usize,
        /// 1-based column.
        column: usize,
    },
}

/// Where a palette colour comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum PaletteOrigin {
    /// Theme colours the user saved in the Site Editor (global styles).
    GlobalStylesTheme,
    /// Custom colours the user added (global styles).
    GlobalStylesCustom,
    /// The active theme's `theme.json`.
    ThemeJson,
    /// The parent theme's `theme.json`.
    ParentThemeJson,
    /// A classic theme mod.
    ThemeMod,
}

impl PaletteOrigin {
    /// `global_styles_theme`, `theme_json`, `theme_mod`, …
    pub fn as_str(self) -> &'static str {
        match self {
            PaletteOrigin::GlobalStylesTheme => "global_styles_theme",
            PaletteOrigin::GlobalStylesCustom => "global_styles_custom",
            PaletteOrigin::ThemeJson => "theme_json",
            PaletteOrigin::ParentThemeJson => "parent_theme_json",
            PaletteOrigin::ThemeMod => "theme_mod",
        }
    }
}

/// One colour of the palette.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PaletteColor {
    /// The preset slug (`primary`) or the theme mod name (`background_color`).
    pub slug: String,
    /// The display name (`Primary`); the slug when the source has none.
    pub name: String,
    /// The colour as the source gives it (`#1a4548`, `rgb(…)`, `var(…)`
    /// for presets; normalized `#hex` for theme mods).
    pub color: String,
    /// Where it comes from.
    pub origin: PaletteOrigin,
}

/// What the binary found in the `theme_mods_<stylesheet>` option.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ThemeMods {
    /// The `custom_logo` attachment id (absent, 0 or not a number: `None`).
    pub custom_logo: Option<u64>,
    /// The colour theme mods, in stored order.
    pub colors: Vec<PaletteColor>,
}

/// A positive attachment id from an option or theme mod value (`"12"`,
/// `12`); `None` for `0`, empty or anything else.
pub fn attachment_id(text: &str) -> Option<u64> {
    text.trim().parse::<u64>().ok().filter(|&id| id > 0)
}

/// A hex colour normalized to `#` + lower-case digits, `None` when the
/// text is not 3, 4, 6 or 8 hex digits (with or without `#`).
fn hex_color(text: &str) -> Option<String> {
    let t = text.trim();
    let digits = t.strip_prefix('#').unwrap_or(t);
    (matches!(digits.len(), 3 | 4 | 6 | 8) && digits.chars().all(|c| c.is_ascii_hexdigit()))
        .then(|| format!("#{}", digits.to_ascii_lowercase()))
}

/// Reads the serialized `theme_mods_<stylesheet>` option (`option` names it
/// in errors).
pub fn read_theme_mods(option: &str, raw: &[u8]) -> Result<ThemeMods, BrandError> {
    let err = |problem: String| BrandError::ThemeMods {
        option: option.to_owned(),
        problem,
    };
    let value = crate::php::decode(raw.trim_ascii()).map_err(|e| err(e.to_string()))?;
    let entries = match &value {
        crate::php::Value::Array(entries) => entries,
        // `false` / a non-array is what get_theme_mods() reads as no mods.
        crate::php::Value::Bool(false) => return Ok(ThemeMods::default()),
        _ => return Err(err("not a serialized array".into())),
    };
    let mut mods = ThemeMods::default();
    for (key, v) in entries {
        let Some(name) = key.as_bytes().and_then(|b| std::str::from_utf8(b).ok()) else {
            continue;
        };
        let text = match v {
            crate::php::Value::Int(i) => Some(i.to_string()),
            other => other.as_str().map(str::to_owned),
        };
        let Some(text) = text else { continue };
        if name == "custom_logo" {
            mods.custom_logo = attachment_id(&text);
            continue;
        }
        let lower = name.to_ascii_lowercase();
        let is_color = lower == "background_color"
            || lower == "header_textcolor"
            || lower.ends_with("color")
            || lower.ends_with("colour");
        if !is_color || text.trim() == "blank" {
            continue;
        }
        if let Some(color) = hex_color(&text) {
            mods.colors.push(PaletteColor {
                slug: name.to_owned(),
                name: name.to_owned(),
                color,
                origin: PaletteOrigin::ThemeMod,
            });
        }
    }
    Ok(mods)
}

fn parse_json(source_name: &str, text: &str) -> Result<serde_json::Value, BrandError> {
    serde_json::from_str(text).map_err(|e| BrandError::Json {
        source_name: source_name.to_owned(),
        message: e.to_string(),
        line: e.line(),
        column: e.column(),
    })
}

/// The colours of one preset array (`[{slug, color, name}]`); entries
/// without a slug or colour are skipped.
fn preset_colors(list: Option<&serde_json::Value>, origin: PaletteOrigin) -> Vec<PaletteColor> {
    let Some(items) = list.and_then(|v| v.as_array()) else {
        return Vec::new();
    };
    items
        .iter()
        .filter_map(|item| {
            let slug = item.get("slug")?.as_str()?.trim();
            let color = item.get("color")?.as_str()?.trim();
            if slug.is_empty() || color.is_empty() {
                return None;
            }
            let name = item
                .get("name")
                .and_then(|n| n.as_str())
                .map(str::trim)
                .filter(|n| !n.is_empty())
                .unwrap_or(slug);
            Some(PaletteColor {
                slug: slug.to_owned(),
                name: name.to_owned(),
                color: color.to_owned(),
                origin,
            })
        })
        .collect()
}

fn palette_node(doc: &serde_json::Value) -> Option<&serde_json::Value> {
    doc.get("settings")?.get("color")?.get("palette")
}

/// The `settings.color.palette` of a theme's `theme.json` text.
pub fn theme_json_palette(
    source_name: &str,
    text: &str,
    origin: PaletteOrigin,
) -> Result<Vec<PaletteColor>, BrandError> {
    let doc = parse_json(source_name, text)?;
    Ok(preset_colors(palette_node(&doc), origin))
}

/// The theme and custom colours of a `wp_global_styles` post's content.
pub fn global_styles_palette(
    source_name: &str,
    text: &str,
) -> Result<(Vec<PaletteColor>, Vec<PaletteColor>), BrandError> {
    let doc = parse_json(source_name, text)?;
    let Some(node) = palette_node(&doc) else {
        return Ok((Vec::new(), Vec::new()));
    };
    if node.is_array() {
        return Ok((
            Vec::new(),
            preset_colors(Some(node), PaletteOrigin::GlobalStylesCustom),
        ));
    }
    Ok((
        preset_colors(node.get("theme"), PaletteOrigin::GlobalStylesTheme),
        preset_colors(node.get("custom"), PaletteOrigin::GlobalStylesCustom),
    ))
}

/// How the site builds upload URLs (see the module doc).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct UploadSettings {
    /// The `siteurl` option (or `WP_SITEURL`).
    pub siteurl: String,
    /// The `upload_path` option.
    pub upload_path: String,
    /// The `upload_url_path` option.
    pub upload_url_path: String,
    /// `WP_CONTENT_URL`, when wp-config.php defines it.
    pub content_url: Option<String>,
    /// `UPLOADS`, when wp-config.php defines it.
    pub uploads_constant: Option<String>,
    /// For a site of a multisite network other than the main one: its blog id.
    pub multisite_blog_id: Option<u64>,
}

fn trailingslashit(url: &str) -> String {
    format!("{}/", url.trim_end_matches(['/', '\\']))
}

impl UploadSettings {
    /// The uploads base URL (`wp_upload_dir()['baseurl']`).
    pub fn base_url(&self) -> String {
        let upload_path = self.upload_path.trim();
        let url_path = self.upload_url_path.trim();
        let mut url = if !url_path.is_empty() {
            url_path.to_owned()
        } else if upload_path.is_empty()
            || upload_path == "wp-content/uploads"
            || upload_path.starts_with('/')
        {
            let content = match &self.content_url {
                Some(c) => c.clone(),
                None => format!("{}/wp-content", self.siteurl),
            };
            format!("{content}/uploads")
        } else {
            format!("{}{upload_path}", trailingslashit(&self.siteurl))
        };
        if let Some(uploads) = &self.uploads_constant {
            url = format!("{}{uploads}", trailingslashit(&self.siteurl));
        }
        if let Some(blog) = self.multisite_blog_id {
            url.push_str(&format!("/sites/{blog}"));
        }
        url
    }
}

/// An attachment as the binary reads it.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct AttachmentRow {
    /// The post id.
    pub id: u64,
    /// `post_type` (must be `attachment`).
    pub post_type: String,
    /// `_wp_attached_file` meta, when present.
    pub attached_file: Option<String>,
    /// `guid`.
    pub guid: String,
}

/// The attachment's URL as `wp_get_attachment_url()` computes it; `None`
/// when the row is not an attachment or has neither file nor guid.
pub fn attachment_url(base_url: &str, row: &AttachmentRow) -> Option<String> {
    if row.post_type != "attachment" {
        return None;
    }
    const UPLOADS: &str = "wp-content/uploads";
    let from_file = row
        .attached_file
        .as_deref()
        .filter(|f| !f.is_empty())
        .map(|file| {
            if let Some(at) = file.find(UPLOADS) {
                // Pre-2.7 absolute paths: keep what follows wp-content/uploads.
                let rest = file[at + UPLOADS.len()..].trim_start_matches('/');
                format!("{base_url}/{rest}")
            } else {
                format!("{base_url}/{file}")
            }
        });
    from_file.or_else(|| (!row.guid.is_empty()).then(|| row.guid.clone()))
}

/// One product's sales, as the photo ranking sees them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProductSales {
    /// The (parent) product id.
    pub product_id: u64,
    /// Line totals of paid orders in the ranking currency.
    pub revenue: Money,
    /// Units sold.
    pub quantity: i64,
    /// The name on the first line seen (the binary prefers the product title).
    pub line_name: String,
}

/// Products ranked by paid line totals in `currency` (see the module doc).
pub fn rank_products(orders: &[OrderFact], currency: &str) -> Vec<ProductSales> {
    let currency = currency.trim();
    let mut by_id: HashMap<u64, ProductSales> = HashMap::new();
    for order in orders {
        if !is_paid_status(&order.status) || !order.currency.trim().eq_ignore_ascii_case(currency) {
            continue;
        }
        for line in &order.lines {
            if line.product_id == 0 {
                continue;
            }
            let entry = by_id
                .entry(line.product_id)
                .or_insert_with(|| ProductSales {
                    product_id: line.product_id,
                    revenue: Money::ZERO,
                    quantity: 0,
                    line_name: line.name.clone(),
                });
            entry.revenue += line.total;
            entry.quantity += line.quantity;
        }
    }
    let mut ranked: Vec<ProductSales> = by_id.into_values().collect();
    ranked.sort_by(|a, b| {
        b.revenue
            .cmp(&a.revenue)
            .then(b.quantity.cmp(&a.quantity))
            .then(a.product_id.cmp(&b.product_id))
    });
    ranked
}

/// A product as the binary reads it for its photo.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ProductRow {
    /// The product id.
    pub id: u64,
    /// `post_title`.
    pub title: String,
    /// `_thumbnail_id` meta, when present.
    pub thumbnail_id: Option<u64>,
}

/// An image of the kit.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct BrandImage {
    /// The attachment id.
    pub attachment_id: u64,
    /// Its URL.
    pub url: String,
}

/// A best-selling product's photo.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ProductPhoto {
    /// Rank among the products with a photo (1 = best-selling).
    pub rank: usize,
    /// The product id.
    pub product_id: u64,
    /// The product title (the order line's name when the product is gone).
    pub name: String,
    /// The attachment id of the photo.
    pub attachment_id: u64,
    /// The photo's URL.
    pub url: String,
    /// Paid line totals it was ranked by (exact decimal text).
    pub revenue: String,
    /// Their currency.
    pub currency: String,
    /// Units sold.
    pub quantity: i64,
}

/// Everything the kit is computed from.
#[derive(Debug, Clone, Default)]
pub struct BrandInput {
    /// `blogname`.
    pub blogname: String,
    /// `blogdescription`.
    pub blogdescription: String,
    /// `stylesheet` (the active theme's directory name).
    pub stylesheet: String,
    /// `template` (the parent theme's, same as `stylesheet` without one).
    pub template: String,
    /// The raw `theme_mods_<stylesheet>` option, when present.
    pub theme_mods: Option<Vec<u8>>,
    /// The `site_icon` option, when present.
    pub site_icon: Option<String>,
    /// How upload URLs are built.
    pub uploads: UploadSettings,
    /// Attachment rows for the logo, icon and product thumbnails.
    pub attachments: Vec<AttachmentRow>,
    /// The active stylesheet's `wp_global_styles` post: (id, content).
    pub global_styles: Option<(u64, String)>,
    /// The active theme's `theme.json` text, when readable.
    pub theme_json: Option<String>,
    /// The parent theme's `theme.json` text, when there is a parent and it is readable.
    pub parent_theme_json: Option<String>,
    /// Whether the theme is a block theme (`templates/index.html`), when
    /// its directory was readable.
    pub block_theme: Option<bool>,
    /// The products ranked by [`rank_products`].
    pub ranked: Vec<ProductSales>,
    /// The rows of (at least) the ranked products.
    pub products: Vec<ProductRow>,
    /// The currency the ranking is in.
    pub currency: String,
    /// How many product photos to keep.
    pub top: usize,
}

/// The brand kit.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct BrandKit {
    /// `blogname`.
    pub site_name: String,
    /// `blogdescription`.
    pub tagline: String,
    /// The active theme (`stylesheet`).
    pub theme: String,
    /// Whether it is a block theme; `None` when its directory was not readable.
    pub block_theme: Option<bool>,
    /// The custom logo.
    pub logo: Option<BrandImage>,
    /// The site icon.
    pub site_icon: Option<BrandImage>,
    /// The palette, in the order of the module doc.
    pub palette: Vec<PaletteColor>,
    /// The top product photos.
    pub product_photos: Vec<ProductPhoto>,
    /// Sources that could not be read, and ids that lead nowhere.
    pub problems: Vec<String>,
}

/// Assembles the kit (see the module doc).
pub fn build(input: &BrandInput) -> BrandKit {
    let mut problems = Vec::new();
    let base = input.uploads.base_url();
    let attachments: HashMap<u64, &AttachmentRow> =
        input.attachments.iter().map(|a| (a.id, a)).collect();
    let image = |id: u64, what: &str, problems: &mut Vec<String>| -> Option<BrandImage> {
        match attachments
            .get(&id)
            .and_then(|row| attachment_url(&base, row))
        {
            Some(url) => Some(BrandImage {
                attachment_id: id,
                url,
            }),
            None => {
                problems.push(format!("{what}: attachment {id} does not exist"));
                None
            }
        }
    };

    let mods_option = format!("theme_mods_{}", input.stylesheet);
    let mods = match &input.theme_mods {
        Some(raw) => read_theme_mods(&mods_option, raw).unwrap_or_else(|e| {
            problems.push(e.to_string());
            ThemeMods::default()
        }),
        None => ThemeMods::default(),
    };
    let logo = mods
        .custom_logo
        .and_then(|id| image(id, "custom_logo", &mut problems));
    let site_icon = input
        .site_icon
        .as_deref()
        .and_then(attachment_id)
        .and_then(|id| image(id, "site_icon", &mut problems));

    let mut note = |r: Result<Vec<PaletteColor>, BrandError>| {
        r.unwrap_or_else(|e| {
            problems.push(e.to_string());
            Vec::new()
        })
    };
    let (gs_theme, gs_custom) = match &input.global_styles {
        Some((id, text)) => {
            match global_styles_palette(&format!("wp_global_styles post {id}"), text) {
                Ok(pair) => pair,
                Err(e) => {
                    note(Err(e));
                    (Vec::new(), Vec::new())
                }
            }
        }
        None => (Vec::new(), Vec::new()),
    };
    let own = input.theme_json.as_deref().map(|t| {
        note(theme_json_palette(
            &format!("theme.json of {}", input.stylesheet),
            t,
            PaletteOrigin::ThemeJson,
        ))
    });
    let parent = input.parent_theme_json.as_deref().map(|t| {
        note(theme_json_palette(
            &format!("theme.json of {}", input.template),
            t,
            PaletteOrigin::ParentThemeJson,
        ))
    });
    let theme_colors = if !gs_theme.is_empty() {
        gs_theme
    } else {
        match (own, parent) {
            (Some(own), _) if !own.is_empty() => own,
            (_, Some(parent)) => parent,
            _ => Vec::new(),
        }
    };
    let mut palette = theme_colors;
    palette.extend(gs_custom);
    palette.extend(mods.colors);

    let titles: HashMap<u64, &ProductRow> = input.products.iter().map(|p| (p.id, p)).collect();
    let mut product_photos = Vec::new();
    for sales in &input.ranked {
        if product_photos.len() >= input.top {
            break;
        }
        let row = titles.get(&sales.product_id);
        let Some(thumb) = row.and_then(|p| p.thumbnail_id) else {
            continue;
        };
        let Some(url) = attachments
            .get(&thumb)
            .and_then(|a| attachment_url(&base, a))
        else {
            continue;
        };
        product_photos.push(ProductPhoto {
            rank: product_photos.len() + 1,
            product_id: sales.product_id,
            name: row
                .map(|p| p.title.clone())
                .filter(|t| !t.is_empty())
                .unwrap_or_else(|| sales.line_name.clone()),
            attachment_id: thumb,
            url,
            revenue: super::revenue::exact_text(sales.revenue),
            currency: input.currency.trim().to_ascii_uppercase(),
            quantity: sales.quantity,
        });
    }

    BrandKit {
        site_name: input.blogname.clone(),
        tagline: input.blogdescription.clone(),
        theme: input.stylesheet.clone(),
        block_theme: input.block_theme,
        logo,
        site_icon,
        palette,
        product_photos,
        problems,
    }
}

/// PHP's `urlencode()` (spaces as `+`), for the `wp-global-styles-<theme>`
/// post name.
pub fn php_urlencode(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for b in text.bytes() {
        match b {
            b'a'..=b'z' | b'A'..=b'Z' | b'0'..=b'9' | b'-' | b'_' | b'.' => out.push(b as char),
            b' ' => out.push('+'),
            other => out.push_str(&format!("%{other:02X}")),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::insight::input::LineFact;

    fn uploads(siteurl: &str) -> UploadSettings {
        UploadSettings {
            siteurl: siteurl.into(),
            ..UploadSettings::default()
        }
    }

    #[test]
    fn upload_base_urls_follow_wp_upload_dir() {
        let site = "http://shop.test";
        let cases: Vec<(UploadSettings, &str)> = vec![
            (uploads(site), "http://shop.test/wp-content/uploads"),
            (
                UploadSettings {
                    upload_path: "wp-content/uploads".into(),
                    ..uploads(site)
                },
                "http://shop.test/wp-content/uploads",
            ),
            (
                UploadSettings {
                    upload_path: "media".into(),
                    ..uploads("http://shop.test/")
                },
                "http://shop.test/media",
            ),
            (
                UploadSettings {
                    upload_path: "/srv/www/files".into(),
                    ..uploads(site)
                },
                "http://shop.test/wp-content/uploads",
            ),
            (
                UploadSettings {
                    upload_path: "media".into(),
                    upload_url_path: "https://cdn.example/u".into(),
                    ..uploads(site)
                },
                "https://cdn.example/u",
            ),
            (
                UploadSettings {
                    content_url: Some("https://static.example/content".into()),
                    ..uploads(site)
                },
                "https://static.example/content/uploads",
            ),
            (
                UploadSettings {
                    uploads_constant: Some("assets".into()),
                    upload_url_path: "https://ignored.example".into(),
                    ..uploads(site)
                },
                "http://shop.test/assets",
            ),
            (
                UploadSettings {
                    multisite_blog_id: Some(3),
                    ..uploads("http://net.test/shop")
                },
                "http://net.test/shop/wp-content/uploads/sites/3",
            ),
        ];
        for (settings, want) in cases {
            assert_eq!(settings.base_url(), want, "{settings:?}");
        }
    }

    #[test]
    fn attachment_urls_follow_wp_get_attachment_url() {
        let base = "http://shop.test/wp-content/uploads";
        let row = |post_type: &str, file: Option<&str>, guid: &str| AttachmentRow {
            id: 5,
            post_type: post_type.into(),
            attached_file: file.map(str::to_owned),
            guid: guid.into(),
        };
        let cases = [
            (
                row("attachment", Some("2025/01/logo.png"), "http://old/x.png"),
                Some("http://shop.test/wp-content/uploads/2025/01/logo.png"),
            ),
            (
                row(
                    "attachment",
                    Some("/var/www/wp-content/uploads/2008/05/a.jpg"),
                    "",
                ),
                Some("http://shop.test/wp-content/uploads/2008/05/a.jpg"),
            ),
            (
                row("attachment", Some(""), "http://old/x.png"),
                Some("http://old/x.png"),
            ),
            (row("attachment", None, ""), None),
            (row("post", Some("2025/01/logo.png"), "g"), None),
        ];
        for (r, want) in cases {
            assert_eq!(attachment_url(base, &r).as_deref(), want, "{r:?}");
        }
    }

    #[test]
    fn theme_mods_give_the_logo_and_colours() {
        let raw = br##"a:7:{i:0;b:0;s:18:"nav_menu_locations";a:0:{}s:11:"custom_logo";i:42;s:16:"background_color";s:6:"F5F5F5";s:16:"header_textcolor";s:5:"blank";s:23:"storefront_accent_color";s:7:"#96588A";s:10:"link_color";s:3:"red";}"##;
        let mods = read_theme_mods("theme_mods_storefront", raw).unwrap();
        assert_eq!(mods.custom_logo, Some(42));
        let colors: Vec<(&str, &str)> = mods
            .colors
            .iter()
            .map(|c| (c.slug.as_str(), c.color.as_str()))
            .collect();
        assert_eq!(
            colors,
            [
                ("background_color", "#f5f5f5"),
                ("storefront_accent_color", "#96588a")
            ]
        );
        // A logo stored as a string, or removed (0 / "").
        let mods = read_theme_mods("t", br#"a:1:{s:11:"custom_logo";s:2:"17";}"#).unwrap();
        assert_eq!(mods.custom_logo, Some(17));
        let mods = read_theme_mods("t", br#"a:1:{s:11:"custom_logo";s:0:"";}"#).unwrap();
        assert_eq!(mods.custom_logo, None);
        assert_eq!(read_theme_mods("t", b"b:0;").unwrap(), ThemeMods::default());
        let err = read_theme_mods("theme_mods_x", b"a:1:{").unwrap_err();
        assert!(
            err.to_string().starts_with("option theme_mods_x: "),
            "{err}"
        );
        assert!(read_theme_mods("t", b"s:1:\"x\";").is_err());
    }

    #[test]
    fn palettes_from_global_styles_and_theme_json() {
        let gs = r##"{"version":3,"isGlobalStylesUserThemeJSON":true,"settings":{"color":{"palette":{"custom":[{"color":"#ff0000","name":"Sale red","slug":"custom-sale-red"}],"theme":[{"color":"#111111","name":"Base","slug":"base"}]}}}}"##;
        let (theme, custom) = global_styles_palette("gs", gs).unwrap();
        assert_eq!(theme[0].color, "#111111");
        assert_eq!(theme[0].origin, PaletteOrigin::GlobalStylesTheme);
        assert_eq!(custom[0].name, "Sale red");
        let tj = r##"{"version":3,"settings":{"color":{"palette":[{"slug":"base","color":"#FFFFFF","name":"Base"},{"slug":"contrast","color":"#000"},{"color":"#123"}]}}}"##;
        let colors = theme_json_palette("tj", tj, PaletteOrigin::ThemeJson).unwrap();
        assert_eq!(colors.len(), 2);
        assert_eq!(colors[1].name, "contrast");
        let err = theme_json_palette("theme.json of x", "{", PaletteOrigin::ThemeJson).unwrap_err();
        assert!(
            err.to_string().starts_with("theme.json of x: invalid JSON"),
            "{err}"
        );
        // No palette at all.
        assert!(
            theme_json_palette("tj", "{}", PaletteOrigin::ThemeJson)
                .unwrap()
                .is_empty()
        );
    }

    fn line(product_id: u64, qty: i64, total: &str) -> LineFact {
        LineFact {
            product_id,
            quantity: qty,
            total: Money::parse(total).unwrap(),
            name: format!("Product {product_id}"),
            ..LineFact::default()
        }
    }

    fn order(status: &str, currency: &str, lines: Vec<LineFact>) -> OrderFact {
        OrderFact {
            status: status.into(),
            currency: currency.into(),
            lines,
            ..OrderFact::default()
        }
    }

    #[test]
    fn products_rank_by_paid_line_totals_in_the_store_currency() {
        let orders = vec![
            order(
                "wc-completed",
                "USD",
                vec![line(1, 1, "10"), line(2, 2, "30")],
            ),
            order(
                "wc-processing",
                "USD",
                vec![line(1, 3, "20"), line(3, 1, "30")],
            ),
            order("wc-cancelled", "USD", vec![line(3, 9, "900")]),
            order("wc-completed", "EUR", vec![line(3, 1, "500")]),
            order("wc-completed", "usd", vec![line(0, 1, "99")]),
        ];
        let ranked = rank_products(&orders, "USD");
        let ids: Vec<(u64, String)> = ranked
            .iter()
            .map(|p| (p.product_id, p.revenue.to_string()))
            .collect();
        // 1 and 2 tie at 30.00 with 4 vs 2 units; 3 has 30.00 with 1 unit.
        assert_eq!(
            ids,
            [
                (1, "30.00".to_string()),
                (2, "30.00".to_string()),
                (3, "30.00".to_string())
            ]
        );
    }

    #[test]
    fn the_kit_assembles_with_problems_reported() {
        let input = BrandInput {
            blogname: "Kaffee &amp; Co".into(),
            blogdescription: "Fresh beans".into(),
            stylesheet: "child".into(),
            template: "parent".into(),
            theme_mods: Some(br#"a:1:{s:11:"custom_logo";i:7;}"#.to_vec()),
            site_icon: Some("8".into()),
            uploads: uploads("http://shop.test"),
            attachments: vec![
                AttachmentRow {
                    id: 7,
                    post_type: "attachment".into(),
                    attached_file: Some("2025/02/logo.svg".into()),
                    guid: String::new(),
                },
                AttachmentRow {
                    id: 30,
                    post_type: "attachment".into(),
                    attached_file: Some("2025/02/mug.jpg".into()),
                    guid: String::new(),
                },
            ],
            global_styles: Some((99, "{not json".into())),
            theme_json: Some(r#"{"settings":{}}"#.into()),
            parent_theme_json: Some(
                r##"{"settings":{"color":{"palette":[{"slug":"p","color":"#abcdef","name":"P"}]}}}"##
                    .into(),
            ),
            block_theme: Some(true),
            ranked: vec![
                ProductSales {
                    product_id: 1,
                    revenue: Money::from_units(100),
                    quantity: 2,
                    line_name: "Grinder".into(),
                },
                ProductSales {
                    product_id: 2,
                    revenue: Money::from_units(50),
                    quantity: 5,
                    line_name: "Mug (line)".into(),
                },
                ProductSales {
                    product_id: 3,
                    revenue: Money::from_units(10),
                    quantity: 1,
                    line_name: "Gone".into(),
                },
            ],
            products: vec![
                ProductRow {
                    id: 1,
                    title: "Grinder".into(),
                    thumbnail_id: None,
                },
                ProductRow {
                    id: 2,
                    title: "Mug".into(),
                    thumbnail_id: Some(30),
                },
            ],
            currency: "usd".into(),
            top: 5,
        };
        let kit = build(&input);
        insta::assert_json_snapshot!(kit);
    }

    #[test]
    fn urlencode_as_php() {
        assert_eq!(php_urlencode("twentytwentyfour"), "twentytwentyfour");
        assert_eq!(php_urlencode("my theme/é"), "my+theme%2F%C3%A9");
    }
}
