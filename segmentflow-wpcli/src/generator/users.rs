//! Registered customers: `users` rows and the usermeta WordPress and
//! WooCommerce write for a customer (profile, capabilities, saved billing and
//! shipping addresses, `paying_customer`), plus their `wc_customer_lookup` rows.

use super::analytics;
use super::orders::Tally;
use super::people;
use super::rng::Rng;
use super::sql::SqlWriter;
use super::{GenerateError, GenerateOptions};

pub(super) fn write_users(
    w: &mut SqlWriter<'_>,
    opts: &GenerateOptions,
    users: u64,
    registered: u64,
    tally: &Tally,
    start: i64,
    analytics: &analytics::AnalyticsTables,
) -> Result<u64, GenerateError> {
    let mut unicode = 0;
    let p = opts.table_prefix.as_str();
    let ut = w.table(
        format!("{p}users"),
        "`ID`,`user_login`,`user_pass`,`user_nicename`,`user_email`,`user_url`,`user_registered`,`user_activation_key`,`user_status`,`display_name`",
    );
    let um = w.table(format!("{p}usermeta"), "`user_id`,`meta_key`,`meta_value`");
    let caps_key = format!("{p}capabilities");
    let level_key = format!("{p}user_level");
    const HASH: &[u8] = b"./0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
    for i in 0..users {
        let person = people::person(opts.seed, false, i);
        unicode += u64::from(person.unicode);
        let mut rng = Rng::stream(opts.seed, 0x05E5, i);
        let id = opts.first_user_id + i;
        // The scripted "new customer" (first slot) registered just before buying.
        let registered_at = if i == registered {
            opts.now - 12 * 86_400
        } else {
            start - rng.range(1, 300) * 86_400 - rng.range(0, 86_399)
        };
        let mut pass = String::from("$P$B");
        rng.token(HASH, 30, &mut pass);
        let a = &person.address;
        let display = format!("{} {}", a.first_name, a.last_name);
        w.row(ut)
            .int(id as i64)
            .str(&person.login)
            .str(&pass)
            .str(&person.login.replace('.', "-"))
            .str(&person.email)
            .str("")
            .datetime(Some(registered_at))
            .str("")
            .int(0)
            .str(&display)
            .end()?;
        let last_update = tally
            .last_order
            .get(i as usize)
            .copied()
            .unwrap_or(0)
            .max(registered_at)
            .to_string();
        let mut meta: Vec<(&str, &str)> = vec![
            ("nickname", &person.login),
            ("first_name", &a.first_name),
            ("last_name", &a.last_name),
            ("description", ""),
            ("rich_editing", "true"),
            ("syntax_highlighting", "true"),
            ("comment_shortcuts", "false"),
            ("admin_color", "fresh"),
            ("use_ssl", "0"),
            ("show_admin_bar_front", "true"),
            // A quarter keep the site language (stored as an empty string).
            ("locale", if i % 4 == 3 { "" } else { person.locale }),
            (&caps_key, "a:1:{s:8:\"customer\";b:1;}"),
            (&level_key, "0"),
            ("dismissed_wp_pointers", ""),
            ("last_update", &last_update),
        ];
        let fields: [(&str, &str, &str); 9] = [
            ("billing_first_name", "shipping_first_name", &a.first_name),
            ("billing_last_name", "shipping_last_name", &a.last_name),
            ("billing_company", "shipping_company", &a.company),
            ("billing_address_1", "shipping_address_1", &a.address_1),
            ("billing_address_2", "shipping_address_2", &a.address_2),
            ("billing_city", "shipping_city", a.city),
            ("billing_state", "shipping_state", a.state),
            ("billing_postcode", "shipping_postcode", a.postcode),
            ("billing_country", "shipping_country", a.country),
        ];
        for (b, _, v) in fields {
            if !v.is_empty() {
                meta.push((b, v));
            }
        }
        meta.push(("billing_email", &person.email));
        meta.push(("billing_phone", &a.phone));
        for (_, s, v) in fields {
            if !v.is_empty() {
                meta.push((s, v));
            }
        }
        if i % 5 == 0 {
            meta.push(("shipping_phone", &a.phone));
        }
        if tally.paying.get(i as usize).copied().unwrap_or(false) {
            meta.push(("paying_customer", "1"));
        }
        for (k, v) in meta {
            w.row(um).int(id as i64).str(k).str(v).end()?;
        }
        let last = tally.last_order.get(i as usize).copied().filter(|&t| t > 0);
        analytics::write_customer(
            w,
            analytics,
            i + 1,
            Some(id),
            &person,
            last,
            Some(registered_at),
        )?;
    }
    Ok(unicode)
}
