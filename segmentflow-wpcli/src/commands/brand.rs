//! `brand`: the brand kit Segmentflow's brand-aware templates pull — site
//! name, tagline, logo and site icon URLs, colour palette and the top
//! product photos by revenue.
//!
//! This command gathers the inputs and prints; every decision is the
//! core's (`segmentflow_core::insight::brand`, whose module doc says where
//! each part comes from):
//!
//! * options, the theme mods, the active theme's `wp_global_styles` post,
//!   attachment and product rows are read by `wordpress::store::brand`;
//! * the theme's `theme.json` (and its parent's) and whether it is a block
//!   theme (`templates/index.html` or `block-templates/index.html`) are
//!   read from `<content dir>/themes/<stylesheet>/`, the content dir being
//!   `--content-dir` (the PHP package passes `WP_CONTENT_DIR`), else
//!   standalone wp-config.php's `WP_CONTENT_DIR`, else `<path>/wp-content`.
//!   Themes registered in another theme root are not looked for; without a
//!   readable theme directory the palette comes from the database only
//!   and `block_theme` is null;
//! * the uploads base URL is `--uploads-url` (the PHP package passes
//!   `wp_upload_dir()['baseurl']`, which includes any filter), else it is
//!   computed by the core from the `siteurl`, `upload_path` and
//!   `upload_url_path` options and, standalone, wp-config.php's
//!   `WP_SITEURL`, `WP_CONTENT_URL` and `UPLOADS`;
//! * the product ranking reads every order through the intelligence
//!   layer's reader, in the store currency (`woocommerce_currency`).
//!
//! Output: `--format=json` is the kit as one object (see `BrandKit`);
//! `--format=table` lists it as rows of `item`, `name`, `value`, `detail`
//! (`site_name`, `tagline`, `theme`, `logo`, `site_icon`, one `color` per
//! palette entry, one `product_photo` per photo). Problems (a corrupt
//! theme mods value, an attachment id that leads nowhere) are warnings on
//! stderr and, in JSON, the `problems` list; they do not fail the command.

use std::path::{Path, PathBuf};

use anyhow::Context as _;
use serde_json::Value;

use segmentflow_core::insight::brand::{
    BrandInput, BrandKit, UploadSettings, attachment_id, build, rank_products, read_theme_mods,
};
use segmentflow_core::wpconfig::WpConfig;
use segmentflow_core::wpconfig::config_file::SiteOverrides;

use crate::config::BrandConfig;
use crate::exit::ExitStatus;
use crate::output::{self, Format, Printer, Record};
use crate::wordpress::site::{Site, locate_wp_config};
use crate::wordpress::store::Tables;
use crate::wordpress::store::brand as reader;

/// The table output's columns.
pub const TABLE_FIELDS: &[&str] = &["item", "name", "value", "detail"];

/// wp-config.php's URL and directory constants, standalone (`None` when it
/// cannot be read: the options alone are then used).
fn overrides(root: &Path) -> Option<SiteOverrides> {
    let file = locate_wp_config(root)?;
    let text = std::fs::read(file).ok()?;
    WpConfig::parse(&String::from_utf8_lossy(&text))
        .ok()?
        .site_overrides()
        .ok()
}

/// A theme file's text, `None` when it cannot be read.
fn read_theme_file(dir: &Path, name: &str) -> Option<String> {
    std::fs::read(dir.join(name))
        .ok()
        .map(|b| String::from_utf8_lossy(&b).into_owned())
}

/// Whether a theme directory holds a block theme (`wp_is_block_theme()`:
/// an `index.html` block template).
fn is_block_theme(dir: &Path) -> bool {
    ["templates/index.html", "block-templates/index.html"]
        .iter()
        .any(|p| dir.join(p).is_file())
}

fn text(options: &std::collections::HashMap<String, Vec<u8>>, name: &str) -> String {
    options
        .get(name)
        .map(|v| String::from_utf8_lossy(v).into_owned())
        .unwrap_or_default()
}

/// Gathers the inputs and builds the kit.
pub fn kit(site: &mut Site, opts: &BrandConfig, printer: &Printer) -> anyhow::Result<BrandKit> {
    let tables = Tables::new(&site.prefix, site.blog_id)
        .with_context(|| format!("table prefix '{}'", site.prefix))?;
    let options = reader::read_options(&mut site.db, &tables, reader::OPTIONS)
        .context("cannot read the site's options")?;
    let stylesheet = text(&options, "stylesheet");
    let template = text(&options, "template");
    let mods_name = format!("theme_mods_{stylesheet}");
    let theme_mods = reader::read_options(&mut site.db, &tables, &[mods_name.as_str()])
        .context("cannot read the theme mods")?
        .remove(&mods_name);

    let constants = opts.wp_root.as_deref().and_then(overrides);
    let content_dir: Option<PathBuf> = opts.content_dir.clone().or_else(|| {
        let root = opts.wp_root.as_ref()?;
        Some(
            constants
                .as_ref()
                .and_then(|c| c.wp_content_dir.clone())
                .map(PathBuf::from)
                .unwrap_or_else(|| root.join("wp-content")),
        )
    });
    let themes = content_dir.as_ref().map(|d| d.join("themes"));
    let theme_dir = themes
        .as_ref()
        .map(|t| t.join(&stylesheet))
        .filter(|d| !stylesheet.is_empty() && d.is_dir());
    match (&themes, &theme_dir) {
        (Some(t), None) => printer.debug(&format!(
            "theme directory {} is not readable: palette from the database only",
            t.join(&stylesheet).display()
        )),
        (None, _) => printer.debug("no content directory: palette from the database only"),
        _ => {}
    }
    let theme_json = theme_dir
        .as_deref()
        .and_then(|d| read_theme_file(d, "theme.json"));
    let parent_theme_json = match &themes {
        Some(t) if !template.is_empty() && template != stylesheet => {
            read_theme_file(&t.join(&template), "theme.json")
        }
        _ => None,
    };
    let block_theme = theme_dir.as_deref().map(|d| {
        is_block_theme(d)
            || (template != stylesheet
                && themes
                    .as_ref()
                    .is_some_and(|t| is_block_theme(&t.join(&template))))
    });
    let global_styles = reader::read_global_styles(&mut site.db, &tables, &stylesheet)
        .context("cannot read the global styles")?;

    let siteurl = site
        .context
        .as_ref()
        .and_then(|c| c.site_url.clone())
        .or_else(|| constants.as_ref().and_then(|c| c.wp_siteurl.clone()))
        .unwrap_or_else(|| text(&options, "siteurl"));
    let uploads = UploadSettings {
        siteurl: siteurl.trim_end_matches('/').to_owned(),
        upload_path: text(&options, "upload_path"),
        upload_url_path: opts
            .uploads_url
            .clone()
            .unwrap_or_else(|| text(&options, "upload_url_path")),
        content_url: constants.as_ref().and_then(|c| c.wp_content_url.clone()),
        uploads_constant: constants.as_ref().and_then(|c| c.uploads.clone()),
        multisite_blog_id: (site.multisite && site.blog_id > 1).then_some(site.blog_id),
    };
    let uploads = if opts.uploads_url.is_some() {
        // WordPress's own answer: nothing else applies.
        UploadSettings {
            content_url: None,
            uploads_constant: None,
            multisite_blog_id: None,
            ..uploads
        }
    } else {
        uploads
    };

    let currency = text(&options, "woocommerce_currency");
    let ranked = if opts.top > 0 && !currency.is_empty() {
        let (facts, _) = super::revenue::read_orders(site, printer)?;
        rank_products(&facts, &currency)
    } else {
        Vec::new()
    };
    let product_ids: Vec<u64> = ranked.iter().map(|p| p.product_id).collect();
    let products = reader::read_products(&mut site.db, &tables, &product_ids)
        .context("cannot read the products")?;

    let mut ids: Vec<u64> = products.iter().filter_map(|p| p.thumbnail_id).collect();
    if let Some(raw) = &theme_mods
        && let Ok(mods) = read_theme_mods(&mods_name, raw)
        && let Some(logo) = mods.custom_logo
    {
        ids.push(logo);
    }
    if let Some(icon) = options
        .get("site_icon")
        .and_then(|v| attachment_id(&String::from_utf8_lossy(v)))
    {
        ids.push(icon);
    }
    ids.sort_unstable();
    ids.dedup();
    let attachments = reader::read_attachments(&mut site.db, &tables, &ids)
        .context("cannot read the attachments")?;

    Ok(build(&BrandInput {
        blogname: text(&options, "blogname"),
        blogdescription: text(&options, "blogdescription"),
        stylesheet,
        template,
        theme_mods,
        site_icon: options
            .get("site_icon")
            .map(|v| String::from_utf8_lossy(v).into_owned()),
        uploads,
        attachments,
        global_styles,
        theme_json,
        parent_theme_json,
        block_theme,
        ranked,
        products,
        currency,
        top: opts.top,
    }))
}

fn row(item: &str, name: String, value: String, detail: String) -> Record {
    let mut r = Record::new();
    r.insert("item".into(), Value::String(item.into()));
    r.insert("name".into(), Value::String(name));
    r.insert("value".into(), Value::String(value));
    r.insert("detail".into(), Value::String(detail));
    r
}

/// The kit as table rows (see the module doc).
pub fn table_rows(kit: &BrandKit) -> Vec<Record> {
    let mut rows = vec![
        row(
            "site_name",
            String::new(),
            kit.site_name.clone(),
            String::new(),
        ),
        row("tagline", String::new(), kit.tagline.clone(), String::new()),
        row(
            "theme",
            String::new(),
            kit.theme.clone(),
            match kit.block_theme {
                Some(true) => "block theme".into(),
                Some(false) => "classic theme".into(),
                None => String::new(),
            },
        ),
    ];
    for (item, image) in [("logo", &kit.logo), ("site_icon", &kit.site_icon)] {
        rows.push(match image {
            Some(img) => row(
                item,
                format!("attachment {}", img.attachment_id),
                img.url.clone(),
                String::new(),
            ),
            None => row(item, String::new(), String::new(), "not set".into()),
        });
    }
    for c in &kit.palette {
        rows.push(row(
            "color",
            if c.name == c.slug {
                c.slug.clone()
            } else {
                format!("{} ({})", c.name, c.slug)
            },
            c.color.clone(),
            c.origin.as_str().into(),
        ));
    }
    for p in &kit.product_photos {
        rows.push(row(
            "product_photo",
            format!("#{} {} (product {})", p.rank, p.name, p.product_id),
            p.url.clone(),
            format!("{} {}, {} sold", p.currency, p.revenue, p.quantity),
        ));
    }
    rows
}

/// Runs `brand`.
pub fn run(site: &mut Site, opts: &BrandConfig, printer: &Printer) -> anyhow::Result<ExitStatus> {
    let kit = kit(site, opts, printer)?;
    for problem in &kit.problems {
        printer.warning(problem);
    }
    let out = match opts.format {
        Format::Json => {
            let value = serde_json::to_value(&kit).context("cannot encode the brand kit")?;
            let mut s = segmentflow_core::wp_json::encode(&value);
            s.push('\n');
            s
        }
        _ => {
            let mut s = output::render_items(
                Format::Table,
                TABLE_FIELDS,
                "item",
                &table_rows(&kit),
                printer.piped(),
            )?;
            if !s.ends_with('\n') {
                s.push('\n');
            }
            s
        }
    };
    printer.result(&out)?;
    Ok(ExitStatus::Success)
}
