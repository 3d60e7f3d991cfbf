//! The words the query compiler understands, each with an example of a
//! supported phrasing, and the nearest-word search behind "did you mean".
//!
//! The table is the single list of vocabulary: when the parser cannot use
//! a word, [`suggest`] looks for the entry with the smallest edit distance
//! (optimal string alignment: insertions, deletions, substitutions and
//! swaps of adjacent letters) and the error shows that entry's example, so
//! the user sees a whole phrasing that works rather than a bare word.

/// One word of the vocabulary and a query that uses it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Entry {
    /// The word, lower-cased.
    pub word: &'static str,
    /// A complete supported query using it.
    pub example: &'static str,
}

const fn e(word: &'static str, example: &'static str) -> Entry {
    Entry { word, example }
}

/// The vocabulary, most useful entries first (ties in distance go to the
/// earlier entry).
pub(crate) const VOCABULARY: &[Entry] = &[
    e("customers", "customers who bought twice"),
    e("bought", "customers who bought twice"),
    e("ordered", "customers who ordered in the last 30 days"),
    e("purchased", "customers who purchased a hoodie"),
    e("spent", "customers who spent over $500"),
    e("twice", "customers who bought twice"),
    e("once", "customers who bought more than once"),
    e("times", "customers who ordered at least 3 times"),
    e("orders", "customers with at least 3 orders"),
    e("order", "customers whose last order was refunded"),
    e("never", "customers who never used a coupon"),
    e("least", "customers who ordered at least 3 times"),
    e("more", "customers who spent more than $200"),
    e("than", "customers who spent more than $200"),
    e("over", "customers who spent over $500"),
    e("under", "customers who spent under $50"),
    e("between", "customers who spent between 50 and 150"),
    e("average", "customers with an average order over 100"),
    e("coupon", "customers who used a coupon"),
    e("discount", "customers who used a discount code"),
    e("used", "customers who used a coupon"),
    e("last", "customers who ordered in the last 90 days"),
    e("past", "customers who ordered in the past 2 weeks"),
    e("since", "customers who ordered since January"),
    e("days", "customers who ordered in the last 90 days"),
    e("weeks", "customers who ordered in the last 2 weeks"),
    e("months", "customers who ordered in the last 6 months"),
    e("month", "customers who haven't ordered in a month"),
    e("week", "first-time buyers from last week"),
    e("year", "customers who spent more than $200 this year"),
    e("this", "customers who spent more than $200 this year"),
    e("category", "customers who bought from the Shoes category"),
    e("product", "customers who bought product SKU TSHIRT-RED"),
    e("sku", "customers who bought product SKU TSHIRT-RED"),
    e("guests", "guests who ordered in the last 7 days"),
    e("registered", "registered customers with no orders"),
    e("refunded", "customers whose last order was refunded"),
    e("cancelled", "customers whose last order was cancelled"),
    e("failed", "customers whose last order was failed"),
    e("completed", "customers whose last order was completed"),
    e("pending", "customers whose last order was pending"),
    e("vip", "VIP customers"),
    e(
        "repeat",
        "repeat customers who spent more than $200 this year",
    ),
    e("loyal", "loyal customers"),
    e("lapsed", "lapsed customers who used a coupon"),
    e("churning", "churning customers"),
    e("recent", "recent customers"),
    e("new", "new customers"),
    e("first-time", "first-time buyers from last week"),
    e("one-time", "one-time buyers"),
    e("prospects", "prospects"),
    e("abandoned", "abandoned checkouts"),
    e("people", "people who bought from the Accessories category"),
    e("who", "customers who bought twice"),
    e("whose", "customers whose last order was refunded"),
    e("with", "customers with an average order over 100"),
    e(
        "but",
        "customers who bought twice but haven't ordered in a month",
    ),
    e(
        "and",
        "guests who ordered in the last 7 days and used a coupon",
    ),
    e("or", "VIP customers or loyal customers"),
    e(
        "not",
        "people who bought from the Accessories category but not in the last 90 days",
    ),
    e("haven't", "customers who haven't ordered in a month"),
    e("opened", "customers who haven't opened an email in a month"),
    e("clicked", "customers who clicked a campaign"),
    e("email", "customers who opened an email in the last 30 days"),
    e("campaign", "customers who clicked a campaign"),
    e("dollars", "customers who spent over 500 dollars"),
    e("euros", "customers with an average order above 80 euros"),
    e("january", "customers who ordered since January"),
    e("february", "customers who ordered since February"),
    e("march", "customers who ordered since March"),
    e("april", "customers who ordered since April"),
    e("may", "customers who ordered since May"),
    e("june", "customers who ordered since June"),
    e("july", "customers who ordered since July"),
    e("august", "customers who ordered since August"),
    e("september", "customers who ordered since September"),
    e("october", "customers who ordered since October"),
    e("november", "customers who ordered since November"),
    e("december", "customers who ordered since December"),
];

/// The vocabulary entry nearest to `word`, if one is close enough to be a
/// plausible misspelling (distance 1 for words up to 4 letters, 2 up to 8,
/// 3 beyond).
pub(crate) fn suggest(word: &str) -> Option<Entry> {
    let word = word.to_lowercase();
    let len = word.chars().count();
    let limit = match len {
        0 => return None,
        1..=4 => 1,
        5..=8 => 2,
        _ => 3,
    };
    let mut best: Option<(usize, Entry)> = None;
    for entry in VOCABULARY {
        let d = distance(&word, entry.word);
        if d <= limit && best.is_none_or(|(b, _)| d < b) {
            best = Some((d, *entry));
        }
    }
    best.map(|(_, e)| e)
}

/// The vocabulary entry for a word spelt exactly so.
pub(crate) fn lookup(word: &str) -> Option<Entry> {
    VOCABULARY.iter().find(|e| e.word == word).copied()
}

/// Optimal string alignment distance between two words (edit distance
/// where swapping two adjacent letters costs 1).
pub(crate) fn distance(a: &str, b: &str) -> usize {
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    let (n, m) = (a.len(), b.len());
    let mut d = vec![vec![0usize; m + 1]; n + 1];
    for (i, row) in d.iter_mut().enumerate() {
        row[0] = i;
    }
    for j in 0..=m {
        d[0][j] = j;
    }
    for i in 1..=n {
        for j in 1..=m {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            let mut v = (d[i - 1][j] + 1)
                .min(d[i][j - 1] + 1)
                .min(d[i - 1][j - 1] + cost);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                v = v.min(d[i - 2][j - 2] + 1);
            }
            d[i][j] = v;
        }
    }
    d[n][m]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn distance_counts_edits_and_adjacent_swaps() {
        for (a, b, d) in [
            ("bought", "bought", 0),
            ("bougth", "bought", 1),
            ("purchsed", "purchased", 1),
            ("twcie", "twice", 1),
            ("spnet", "spent", 1),
            ("kitten", "sitting", 3),
            ("", "abc", 3),
        ] {
            assert_eq!(distance(a, b), d, "{a} {b}");
        }
    }

    #[test]
    fn suggestions_are_the_nearest_plausible_word() {
        assert_eq!(suggest("purchsed").map(|e| e.word), Some("purchased"));
        assert_eq!(suggest("Twcie").map(|e| e.word), Some("twice"));
        assert_eq!(suggest("coupn").map(|e| e.word), Some("coupon"));
        assert_eq!(suggest("registred").map(|e| e.word), Some("registered"));
        assert_eq!(suggest("refundd").map(|e| e.word), Some("refunded"));
        assert_eq!(suggest("xylophone"), None);
    }

    #[test]
    fn every_word_is_lower_case_and_listed_once() {
        for (i, entry) in VOCABULARY.iter().enumerate() {
            assert_eq!(entry.word, entry.word.to_lowercase());
            assert!(
                VOCABULARY[..i].iter().all(|o| o.word != entry.word),
                "{} listed twice",
                entry.word
            );
        }
        assert_eq!(
            lookup("twice").map(|e| e.example),
            Some("customers who bought twice")
        );
    }
}
