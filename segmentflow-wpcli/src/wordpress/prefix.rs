//! The validated table prefix, the only source of table names in SQL.
//!
//! SEAM(core::wpconfig): the core will own prefix validation; when it lands,
//! [`TablePrefix::new`] delegates to it and this type stays the shell's way
//! of spelling table names.

/// A table prefix WordPress would accept (`[A-Za-z0-9_]*`), plus the blog
/// whose per-site tables it names.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TablePrefix {
    base: String,
    blog_id: u64,
}

/// A `$table_prefix` WordPress refuses.
#[derive(Debug, thiserror::Error)]
#[error(
    "invalid table prefix '{0}' in wp-config.php: WordPress allows only letters, digits and underscores"
)]
pub struct InvalidPrefix(pub String);

impl TablePrefix {
    /// Validates a `$table_prefix` value (as `wpdb::set_prefix()` does).
    pub fn new(prefix: &str) -> Result<TablePrefix, InvalidPrefix> {
        if prefix
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'_')
        {
            Ok(TablePrefix {
                base: prefix.to_owned(),
                blog_id: 1,
            })
        } else {
            Err(InvalidPrefix(prefix.to_owned()))
        }
    }

    /// The same prefix for another blog of a multisite network.
    pub fn for_blog(&self, blog_id: u64) -> TablePrefix {
        TablePrefix {
            base: self.base.clone(),
            blog_id: blog_id.max(1),
        }
    }

    /// The blog whose per-site tables [`site_table`](Self::site_table) names.
    pub fn blog_id(&self) -> u64 {
        self.blog_id
    }

    /// The base prefix (`wp_`).
    pub fn base(&self) -> &str {
        &self.base
    }

    /// A per-site table, quoted: `` `wp_options` `` or `` `wp_2_options` ``.
    /// `name` is a literal from our code, never input.
    pub fn site_table(&self, name: &'static str) -> String {
        if self.blog_id > 1 {
            format!("`{}{}_{}`", self.base, self.blog_id, name)
        } else {
            format!("`{}{}`", self.base, name)
        }
    }

    /// A network-wide table (`users`, `usermeta`, `blogs`, `sitemeta`…), quoted.
    pub fn global_table(&self, name: &'static str) -> String {
        format!("`{}{}`", self.base, name)
    }
}

#[cfg(test)]
mod tests {
    use super::TablePrefix;

    #[test]
    fn validation() {
        for ok in ["wp_", "", "WP2_", "a_b_9"] {
            assert!(TablePrefix::new(ok).is_ok(), "{ok:?}");
        }
        for bad in ["wp-", "wp_;", "wp `", "wp_é", "wp.x"] {
            assert!(TablePrefix::new(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn table_names() {
        let p = TablePrefix::new("wp_").unwrap();
        assert_eq!(p.site_table("options"), "`wp_options`");
        assert_eq!(p.for_blog(2).site_table("options"), "`wp_2_options`");
        assert_eq!(p.for_blog(2).global_table("users"), "`wp_users`");
        assert_eq!(p.for_blog(0).site_table("posts"), "`wp_posts`");
    }
}
