//! Mapping between the WP Consent API's categories and ours.
//!
//! The WP Consent API plugin (`wp_has_consent( $category )`, `wp_set_consent()`)
//! standardises five categories: `functional`, `preferences`, `statistics`,
//! `statistics-anonymous` and `marketing`. **Segmentflow Connect does not
//! integrate with it**: neither its PHP nor its storefront bundle calls
//! `wp_has_consent` or `wp_set_consent` (checked in v2.4.0 and the later
//! identified-ingest commits); its own `sf_consent` cookie with two
//! categories is the only record it reads. This module defines the mapping a
//! Rust embedder can use when a site runs a WP Consent API banner:
//!
//! | WP Consent API | Segmentflow | why |
//! |---|---|---|
//! | `statistics` | analytics | browse/page events are statistics about an identifiable visitor |
//! | `statistics-anonymous` | — | not enough: analytics sets `sf_id`, a persistent identifier, so the events are not anonymous |
//! | `marketing` | marketing | marketing-tier forwarding (email/ads destinations) |
//! | `functional`, `preferences` | — | the plugin has no such category; they never grant anything |
//!
//! Writing the other way (recording a Segmentflow banner decision in the WP
//! Consent API) sets `statistics` and `statistics-anonymous` from analytics
//! and `marketing` from marketing; `functional`/`preferences` are left alone.
//! In decisions ([`super::tracking_decision`]), the `sf_consent` cookie always
//! wins; the WP Consent API answers are used only while it is absent.

use super::cookie::ConsentCookie;
use super::{Category, ConsentFlags};

/// A WP Consent API category.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum WpConsentCategory {
    /// `functional`
    Functional,
    /// `preferences`
    Preferences,
    /// `statistics`
    Statistics,
    /// `statistics-anonymous`
    StatisticsAnonymous,
    /// `marketing`
    Marketing,
}

impl WpConsentCategory {
    /// All five, in the API's documented order.
    pub const ALL: [Self; 5] = [
        Self::Functional,
        Self::Preferences,
        Self::Statistics,
        Self::StatisticsAnonymous,
        Self::Marketing,
    ];

    /// The slug passed to `wp_has_consent()`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Functional => "functional",
            Self::Preferences => "preferences",
            Self::Statistics => "statistics",
            Self::StatisticsAnonymous => "statistics-anonymous",
            Self::Marketing => "marketing",
        }
    }

    /// Parses a slug (exact, lowercase).
    pub fn parse(slug: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|c| c.as_str() == slug)
    }

    /// The Segmentflow category a grant of this category gives, if any.
    pub fn grants(self) -> Option<Category> {
        match self {
            Self::Statistics => Some(Category::Analytics),
            Self::Marketing => Some(Category::Marketing),
            Self::Functional | Self::Preferences | Self::StatisticsAnonymous => None,
        }
    }
}

/// The answers `wp_has_consent()` gives for the visitor, one per category.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct WpConsentAnswers {
    /// `wp_has_consent('functional')`
    pub functional: bool,
    /// `wp_has_consent('preferences')`
    pub preferences: bool,
    /// `wp_has_consent('statistics')`
    pub statistics: bool,
    /// `wp_has_consent('statistics-anonymous')`
    pub statistics_anonymous: bool,
    /// `wp_has_consent('marketing')`
    pub marketing: bool,
}

impl WpConsentAnswers {
    /// The answer for one category.
    pub fn get(&self, category: WpConsentCategory) -> bool {
        match category {
            WpConsentCategory::Functional => self.functional,
            WpConsentCategory::Preferences => self.preferences,
            WpConsentCategory::Statistics => self.statistics,
            WpConsentCategory::StatisticsAnonymous => self.statistics_anonymous,
            WpConsentCategory::Marketing => self.marketing,
        }
    }

    /// Our two flags under the mapping above.
    pub fn flags(&self) -> ConsentFlags {
        let granted = |ours: Category| {
            WpConsentCategory::ALL
                .into_iter()
                .any(|c| c.grants() == Some(ours) && self.get(c))
        };
        ConsentFlags {
            analytics: granted(Category::Analytics),
            marketing: granted(Category::Marketing),
        }
    }

    /// The `sf_consent` cookie that records the same decision.
    pub fn to_consent_cookie(&self) -> ConsentCookie {
        let f = self.flags();
        ConsentCookie::new(f.analytics, f.marketing)
    }
}

impl ConsentFlags {
    /// The `wp_set_consent( $category, 'allow'|'deny' )` calls that record
    /// this decision in the WP Consent API.
    pub fn to_wp_consent(&self) -> [(WpConsentCategory, bool); 3] {
        [
            (WpConsentCategory::Statistics, self.analytics),
            (WpConsentCategory::StatisticsAnonymous, self.analytics),
            (WpConsentCategory::Marketing, self.marketing),
        ]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mapping_table() {
        let cases = [
            ("functional", None),
            ("preferences", None),
            ("statistics", Some(Category::Analytics)),
            ("statistics-anonymous", None),
            ("marketing", Some(Category::Marketing)),
        ];
        for (slug, want) in cases {
            let cat = WpConsentCategory::parse(slug).expect("known slug");
            assert_eq!(cat.as_str(), slug);
            assert_eq!(cat.grants(), want, "{slug}");
        }
        assert_eq!(WpConsentCategory::parse("Statistics"), None);
    }

    #[test]
    fn answers_to_flags() {
        let only_anonymous = WpConsentAnswers {
            functional: true,
            preferences: true,
            statistics_anonymous: true,
            ..WpConsentAnswers::default()
        };
        assert_eq!(
            only_anonymous.flags(),
            ConsentFlags {
                analytics: false,
                marketing: false
            }
        );
        let stats_and_marketing = WpConsentAnswers {
            statistics: true,
            marketing: true,
            ..WpConsentAnswers::default()
        };
        assert_eq!(
            stats_and_marketing.to_consent_cookie(),
            ConsentCookie::new(true, true)
        );
    }

    #[test]
    fn flags_to_wp_consent() {
        let calls = ConsentFlags {
            analytics: true,
            marketing: false,
        }
        .to_wp_consent();
        assert_eq!(
            calls,
            [
                (WpConsentCategory::Statistics, true),
                (WpConsentCategory::StatisticsAnonymous, true),
                (WpConsentCategory::Marketing, false)
            ]
        );
    }
}
