//! Ordering clauses: `bought twice`, `ordered at least 3 times since
//! January`, and what was bought: `a hoodie`, `hoodies`, `product SKU
//! TSHIRT-RED`, `product id 42`, `from the Shoes category`.

use super::super::QueryError;
use super::super::lexer::Tok;
use super::super::lexicon;
use super::{CONNECTORS, Clause, NAME_STOPS, Parser};
use crate::insight::rules::{Comparison, Item};

impl Parser<'_> {
    pub(super) fn parse_ordering(&mut self) -> Result<Clause, QueryError> {
        let mut count = None;
        let mut window = None;
        let mut items = Vec::new();
        let mut count_at = self.here();
        loop {
            // `placed an order`, `made a purchase`, `checked out`.
            if self
                .eat_any(&["out", "something", "anything", "stuff", "items", "products"])
                .is_some()
            {
                continue;
            }
            if count.is_none() {
                count_at = self.here();
                if let Some(c) = self.try_count(
                    &["times", "time", "orders", "order", "purchases", "purchase"],
                    false,
                )? {
                    count = Some(c);
                    continue;
                }
                if self.is_any(&["a", "an", "any"])
                    && self
                        .word_at(1)
                        .is_some_and(|w| matches!(w, "order" | "purchase" | "orders" | "purchases"))
                {
                    self.pos += 2;
                    continue;
                }
                if self.eat_any(&["orders", "purchases"]).is_some() {
                    continue;
                }
            }
            if window.is_none()
                && let Some(w) = self.try_window()?
            {
                window = Some(w);
                continue;
            }
            if let Some(item) = self.try_item()? {
                items.push(item);
                continue;
            }
            break;
        }
        if let Some(tok) = self.peek()
            && let Some(w) = tok.word()
            && !CONNECTORS.contains(&w)
            && w != "or"
            && !self.is_time_start_at(0)
        {
            // A bare word after the verb: a misspelt count or time, or a
            // product named without an article.
            let near = lexicon::suggest(w).filter(|_| lexicon::lookup(w).is_none());
            let plural = w.len() > 3 && w.ends_with('s') && !w.ends_with("ss");
            if near.is_none() && plural && items.is_empty() {
                self.pos += 1;
                let name = singular(&tok.text);
                self.notes.push(format!(
                    "\"{}\" is matched as a product name containing \"{name}\"",
                    tok.text
                ));
                items.push(Item::ProductName(name));
            } else if near.is_some() {
                return Err(self.cannot_use(
                    "a count, a time or what was bought",
                    "customers who bought a hoodie",
                ));
            } else if items.is_empty() && count.is_none() && window.is_none() {
                return Err(self.cannot_use(
                    "a count, a time or what was bought (a product needs \"a\", \"an\" or \"product\")",
                    &format!("customers who bought a {}", tok.text),
                ));
            }
        }
        if items.is_empty() {
            let cmp = count.unwrap_or(Comparison::Ge(1));
            return Ok(Clause::Orders { window, cmp });
        }
        match count {
            None | Some(Comparison::Ge(1)) => Ok(Clause::Bought { window, items }),
            Some(_) => Err(QueryError::Unsupported {
                what: "a count of purchases of one product or category".to_string(),
                at: count_at,
                why: "the rule language counts orders, not purchases of an item; say \"bought a hoodie\" and \"bought twice\" separately",
            }),
        }
    }

    /// What was bought: `a hoodie`, `product SKU X`, `product id 42`,
    /// `from the Shoes category`.
    pub(super) fn try_item(&mut self) -> Result<Option<Item>, QueryError> {
        let save = self.pos;
        if self.is_any(&["from", "in"]) {
            self.pos += 1;
            self.eat_any(&["the", "our"]);
            if self.eat_any(&["category", "categories"]).is_some() {
                let name = self.name_words(true);
                return match name {
                    Some(n) => Ok(Some(Item::CategoryName(n))),
                    None => Err(self.cannot_use(
                        "a category name",
                        "customers who bought from the Shoes category",
                    )),
                };
            }
            let name_start = self.pos;
            let name = self.name_words(false);
            if name.is_some() && self.eat_any(&["category", "categories"]).is_some() {
                return Ok(name.map(Item::CategoryName));
            }
            self.pos = save;
            if name.is_some() && self.is("from") {
                self.pos = name_start;
                return Err(self.cannot_use(
                    "a category, written \"from the <name> category\"",
                    "customers who bought from the Accessories category",
                ));
            }
            return Ok(None);
        }
        let article = self.eat_any(&["a", "an", "the", "some", "any", "one"]);
        if self
            .eat_any(&["product", "products", "item", "items"])
            .is_some()
        {
            if self.eat_any(&["sku", "skus"]).is_some() {
                return self.sku().map(Some);
            }
            if self.eat("id") || self.eat("#") {
                return self.product_id().map(Some);
            }
            if let Some(Tok::Number {
                integer: Some(id), ..
            }) = self.peek().map(|t| &t.kind)
            {
                self.pos += 1;
                return Ok(Some(Item::ProductId(*id)));
            }
            if self.is_any(&["from", "in"]) {
                // `a product from the Shoes category`
                return self.try_item();
            }
            return match self.name_words(true) {
                Some(n) => Ok(Some(Item::ProductName(n))),
                None => Err(self.cannot_use(
                    "a product name, SKU or id",
                    "customers who bought product SKU TSHIRT-RED",
                )),
            };
        }
        if self.eat("sku") {
            return self.sku().map(Some);
        }
        if article.is_some() {
            if self.is_any(&["order", "orders", "purchase", "purchases", "coupon"]) {
                self.pos = save;
                return Ok(None);
            }
            if let Some(name) = self.name_words(true) {
                let name = if matches!(article, Some("some" | "any")) {
                    singular(&name)
                } else {
                    name
                };
                return Ok(Some(Item::ProductName(name)));
            }
        }
        self.pos = save;
        Ok(None)
    }

    pub(super) fn sku(&mut self) -> Result<Item, QueryError> {
        match self.peek() {
            Some(t) if !matches!(t.kind, Tok::Comma | Tok::Sign(_)) => {
                self.pos += 1;
                Ok(Item::Sku(t.text.clone()))
            }
            _ => Err(self.cannot_use("a SKU", "customers who bought product SKU TSHIRT-RED")),
        }
    }

    pub(super) fn product_id(&mut self) -> Result<Item, QueryError> {
        match self.peek().map(|t| &t.kind) {
            Some(Tok::Number {
                integer: Some(id), ..
            }) => {
                let id = *id;
                self.pos += 1;
                Ok(Item::ProductId(id))
            }
            _ => Err(self.cannot_use(
                "a product id (a whole number)",
                "customers who bought product id 42",
            )),
        }
    }

    /// Words of a name, as written, up to a word that ends it; `None` when
    /// there is none. With `any_word`, also words the vocabulary knows.
    pub(super) fn name_words(&mut self, any_word: bool) -> Option<String> {
        let mut words: Vec<&str> = Vec::new();
        while let Some(t) = self.peek() {
            let stop = match &t.kind {
                Tok::Word(w) => {
                    NAME_STOPS.contains(&w.as_str())
                        || (!any_word && lexicon::lookup(w).is_some() && words.is_empty())
                }
                Tok::Number { .. } => words.is_empty(),
                _ => true,
            };
            if stop {
                break;
            }
            words.push(&t.text);
            self.pos += 1;
        }
        (!words.is_empty()).then(|| words.join(" "))
    }
}

/// A product word without its plural `s` (`hoodies` → `hoodie`), so that
/// the contains-match finds `Hoodie with Logo`.
pub(super) fn singular(word: &str) -> String {
    let mut words: Vec<&str> = word.split(' ').collect();
    if let Some(last) = words.last_mut()
        && last.len() > 3
        && (last.ends_with('s') || last.ends_with('S'))
        && !last.to_lowercase().ends_with("ss")
    {
        *last = &last[..last.len() - 1];
    }
    words.join(" ")
}
