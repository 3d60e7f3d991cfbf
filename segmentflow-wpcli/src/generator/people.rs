//! Synthetic shoppers: names (about 30 % with accents, CJK, Greek or emoji),
//! emails, and addresses in eleven countries. A person is a pure function of
//! (seed, kind, index), so nothing about customers has to be kept in memory.

use super::rng::Rng;

/// (display, ASCII transliteration) pairs.
const FIRST_ASCII: &[(&str, &str)] = &[
    ("Emma", "emma"),
    ("Liam", "liam"),
    ("Olivia", "olivia"),
    ("Noah", "noah"),
    ("Ava", "ava"),
    ("James", "james"),
    ("Sophia", "sophia"),
    ("Lucas", "lucas"),
    ("Mia", "mia"),
    ("Ethan", "ethan"),
    ("Amelia", "amelia"),
    ("Oliver", "oliver"),
    ("Chiara", "chiara"),
    ("Jack", "jack"),
    ("Grace", "grace"),
    ("Henry", "henry"),
    ("Hiroshi", "hiroshi"),
    ("Lena", "lena"),
];
const FIRST_UNICODE: &[(&str, &str)] = &[
    ("Zoë", "zoe"),
    ("José", "jose"),
    ("Renée", "renee"),
    ("Łukasz", "lukasz"),
    ("Søren", "soren"),
    ("Chloé", "chloe"),
    ("Björn", "bjorn"),
    ("Amélie", "amelie"),
    ("伟", "wei"),
    ("美咲", "misaki"),
    ("翔太", "shota"),
    ("지민", "jimin"),
    ("Νίκος", "nikos"),
    ("Ava 🌸", "ava"),
    ("Léo ⚡", "leo"),
    ("Ana-María", "ana-maria"),
];
const LAST_ASCII: &[(&str, &str)] = &[
    ("Johnson", "johnson"),
    ("Smith", "smith"),
    ("Williams", "williams"),
    ("Brown", "brown"),
    ("Davis", "davis"),
    ("Miller", "miller"),
    ("Wilson", "wilson"),
    ("Anderson", "anderson"),
    ("Taylor", "taylor"),
    ("Thomas", "thomas"),
    ("Moore", "moore"),
    ("Martin", "martin"),
    ("Watanabe", "watanabe"),
    ("Kowalczyk", "kowalczyk"),
];
const LAST_UNICODE: &[(&str, &str)] = &[
    ("Müller", "muller"),
    ("García", "garcia"),
    ("Lefèvre", "lefevre"),
    ("Schröder", "schroder"),
    ("Nørgaard", "norgaard"),
    ("王", "wang"),
    ("佐藤", "sato"),
    ("김", "kim"),
    ("Παπαδόπουλος", "papadopoulos"),
    ("Ødegård", "odegard"),
    ("Núñez", "nunez"),
    ("D'Angelo", "dangelo"),
];
const STREETS: &[&str] = &[
    "Rue de Rivoli",
    "Sunset Boulevard",
    "Strøget",
    "道玄坂",
    "Οδός Ερμού",
    "Main Street",
    "Königstraße",
    "Calle Mayor",
    "ulica Floriańska",
    "George Street",
    "Queen Street West",
    "Baker Street",
];
const COMPANIES: &[&str] = &[
    "Søstrene ApS",
    "Acme Corp",
    "Müller GmbH",
    "Studio Nuvola",
    "山田商事",
    "Blue Fern Ltd",
];
const TLDS: &[&str] = &["example.test", "example.net", "example.org", "example.com"];

/// (country, weight, locales, phone prefix, cities (city, state, postcode))
type CountrySpec = (
    &'static str,
    u32,
    &'static [&'static str],
    &'static str,
    &'static [(&'static str, &'static str, &'static str)],
);

const COUNTRIES: &[CountrySpec] = &[
    (
        "US",
        40,
        &["en_US"],
        "+1 212 555",
        &[
            ("New York", "NY", "10001"),
            ("Brooklyn", "NY", "11209"),
            ("Los Angeles", "CA", "90012"),
            ("San Francisco", "CA", "94103"),
            ("Austin", "TX", "78704"),
            ("Chicago", "IL", "60607"),
            ("Portland", "OR", "97205"),
        ],
    ),
    (
        "CA",
        6,
        &["fr_CA", "en_CA"],
        "+1 416 555",
        &[("Toronto", "ON", "M5V 2T6"), ("Montréal", "QC", "H2X 1Y4")],
    ),
    (
        "GB",
        8,
        &["en_GB"],
        "+44 20 7946",
        &[("London", "", "EC1A 1BB"), ("Manchester", "", "M1 1AE")],
    ),
    (
        "DE",
        8,
        &["de_DE"],
        "+49 89 9915",
        &[("München", "BY", "80301"), ("Berlin", "BE", "10115")],
    ),
    (
        "FR",
        6,
        &["fr_FR"],
        "+33 1 4020",
        &[("Paris", "", "75001"), ("Lyon", "", "69002")],
    ),
    (
        "ES",
        4,
        &["es_ES"],
        "+34 91 123",
        &[("Madrid", "M", "28013"), ("Sevilla", "SE", "41004")],
    ),
    (
        "PL",
        4,
        &["pl_PL"],
        "+48 12 345",
        &[("Kraków", "", "30-001"), ("Gdańsk", "", "80-001")],
    ),
    (
        "JP",
        5,
        &["ja"],
        "+81 3 1234",
        &[
            ("渋谷区", "JP13", "150-0006"),
            ("大阪市", "JP27", "530-0001"),
        ],
    ),
    (
        "AU",
        4,
        &["en_AU"],
        "+61 2 9876",
        &[("Sydney", "NSW", "2000"), ("Melbourne", "VIC", "3000")],
    ),
    (
        "DK",
        3,
        &["da_DK"],
        "+45 32 12",
        &[("København", "", "1050")],
    ),
    ("GR", 2, &["el"], "+30 21 0123", &[("Αθήνα", "I", "105 57")]),
];

/// A postal address as WooCommerce stores it (empty strings = not set).
#[derive(Clone, Debug)]
pub struct Address {
    /// First name.
    pub first_name: String,
    /// Last name.
    pub last_name: String,
    /// Company.
    pub company: String,
    /// Address line 1.
    pub address_1: String,
    /// Address line 2.
    pub address_2: String,
    /// City.
    pub city: &'static str,
    /// State code.
    pub state: &'static str,
    /// Postcode.
    pub postcode: &'static str,
    /// ISO country.
    pub country: &'static str,
    /// Phone.
    pub phone: String,
}

/// A shopper.
#[derive(Clone, Debug)]
pub struct Person {
    /// Login (registered) / email local part.
    pub login: String,
    /// Email.
    pub email: String,
    /// Billing address (also used for shipping).
    pub address: Address,
    /// Whether the name has non-ASCII characters.
    pub unicode: bool,
    /// A locale the person's browser would send.
    pub locale: &'static str,
}

/// Stream labels for [`Rng::stream`].
const PERSON_STREAM: u64 = 0x9E05;

/// Registered customer `index` (`guest = false`) or guest identity `index`.
pub fn person(seed: u64, guest: bool, index: u64) -> Person {
    let mut rng = Rng::stream(seed, PERSON_STREAM + u64::from(guest), index);
    let unicode = rng.chance(0.3);
    let (first, first_ascii) = if unicode && rng.chance(0.6) {
        *rng.pick(FIRST_UNICODE)
    } else {
        *rng.pick(FIRST_ASCII)
    };
    let (last, last_ascii) = if unicode {
        *rng.pick(LAST_UNICODE)
    } else {
        *rng.pick(LAST_ASCII)
    };
    let unicode = !first.is_ascii() || !last.is_ascii();
    let weights: Vec<u32> = COUNTRIES.iter().map(|c| c.1).collect();
    let (country, _, locales, phone_prefix, cities) = COUNTRIES[rng.weighted(&weights)];
    let &(city, state, postcode) = rng.pick(cities);
    let locale = *rng.pick(locales);
    let login = if guest {
        format!("{first_ascii}.{last_ascii}.{}", 1000 + index)
    } else {
        format!("{first_ascii}.{last_ascii}{}", index + 1)
    };
    let email = if guest {
        format!("{login}@guest.example")
    } else {
        format!("{login}@{}", rng.pick(TLDS))
    };
    let company = if rng.chance(0.35) {
        (*rng.pick(COMPANIES)).to_owned()
    } else {
        String::new()
    };
    let address_2 = if rng.chance(0.3) {
        format!("Apt {}", rng.range(1, 60))
    } else {
        String::new()
    };
    let address = Address {
        first_name: first.to_owned(),
        last_name: last.to_owned(),
        company,
        address_1: format!("{} {}", rng.range(1, 999), rng.pick(STREETS)),
        address_2,
        city,
        state,
        postcode,
        country,
        phone: format!("{phone_prefix} {:04}", rng.range(0, 9999)),
    };
    Person {
        login,
        email,
        address,
        unicode,
        locale,
    }
}

/// The email a returning guest types this time: same address, different case.
pub fn case_variant(email: &str, which: u64) -> String {
    if which.is_multiple_of(2) {
        email.to_uppercase()
    } else {
        let mut out = String::with_capacity(email.len());
        let mut upper_next = true;
        for ch in email.chars() {
            if upper_next {
                out.extend(ch.to_uppercase());
            } else {
                out.push(ch);
            }
            upper_next = ch == '.' || ch == '@';
        }
        out
    }
}

impl Address {
    /// `_billing_address_index` / `_shipping_address_index`: the address fields
    /// joined with spaces (email and phone appended for billing), as WooCommerce does.
    pub fn index_text(&self, email: Option<&str>) -> String {
        let mut parts = vec![
            self.first_name.as_str(),
            self.last_name.as_str(),
            self.company.as_str(),
            self.address_1.as_str(),
            self.address_2.as_str(),
            self.city,
            self.state,
            self.postcode,
            self.country,
        ];
        match email {
            Some(e) => {
                parts.push(e);
                parts.push(self.phone.as_str());
            }
            None => parts.push(""),
        }
        parts.join(" ")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn people_are_deterministic_and_about_thirty_percent_unicode() {
        assert_eq!(person(5, false, 3).email, person(5, false, 3).email);
        let n = 2000;
        let unicode = (0..n).filter(|&i| person(5, false, i).unicode).count();
        assert!((450..=750).contains(&unicode), "{unicode} of {n}");
        let emails: std::collections::BTreeSet<String> =
            (0..n).map(|i| person(5, false, i).email).collect();
        assert_eq!(emails.len(), n as usize, "registered emails are unique");
    }

    #[test]
    fn case_variants() {
        assert_eq!(
            case_variant("ava.kim.1001@guest.example", 0),
            "AVA.KIM.1001@GUEST.EXAMPLE"
        );
        assert_eq!(
            case_variant("ava.kim.1001@guest.example", 1),
            "Ava.Kim.1001@Guest.Example"
        );
    }

    #[test]
    fn address_index_matches_woocommerce_layout() {
        let a = Address {
            first_name: "Chiara".into(),
            last_name: "Davis".into(),
            company: String::new(),
            address_1: "405 Rue de Rivoli".into(),
            address_2: String::new(),
            city: "Brooklyn",
            state: "NY",
            postcode: "11209",
            country: "US",
            phone: "+1 718 555 0827".into(),
        };
        assert_eq!(
            a.index_text(Some("chiara.davis.2716@guest.example")),
            "Chiara Davis  405 Rue de Rivoli  Brooklyn NY 11209 US chiara.davis.2716@guest.example +1 718 555 0827"
        );
        assert_eq!(
            a.index_text(None),
            "Chiara Davis  405 Rue de Rivoli  Brooklyn NY 11209 US "
        );
    }
}
