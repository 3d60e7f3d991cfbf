//! `POST /api/v1/ingest/batch`: the identified-ingest contract the plugin's
//! plan freezes (repository plan of 2026-07-13) — the body
//! `{writeKey, batch:[…], consent?}`, one ordered result per item
//! (`accepted`, `duplicate` by `messageId`, or `rejected` with
//! `reason: "invalid_input"` and a `detail` naming the field), and a
//! summary.
//!
//! Whole-request problems answer without results: `401 {error}` for a
//! missing, wrong or revoked write key; `400 {error}` naming the field for a
//! body that is not the request shape — including an item without a
//! `messageId`, since its result could not be matched; `413 {error}` for a
//! body over the byte limit or a batch over the event limit.

use serde::Serialize;
use serde_json::{Map, Value};
use subtle::ConstantTimeEq;

use super::state::{IdentifyRecord, State, hash16, hex16};

/// Longest `messageId` accepted.
const MAX_MESSAGE_ID_LEN: usize = 256;

/// Fields the contract forbids (anonymous and internal routing ids).
const FORBIDDEN_FIELDS: [&str; 5] = [
    "anonymousId",
    "organizationId",
    "sourceInstanceId",
    "identityNamespace",
    "profileId",
];

/// An answer: status and JSON body.
#[derive(Debug)]
pub(crate) struct Reply {
    pub status: u16,
    pub body: Vec<u8>,
}

pub(crate) fn error_reply(status: u16, message: &str) -> Reply {
    Reply {
        status,
        body: serde_json::to_vec(&serde_json::json!({ "error": message }))
            .unwrap_or_else(|_| b"{}".to_vec()),
    }
}

#[derive(Serialize)]
struct ItemResult<'a> {
    index: usize,
    #[serde(rename = "messageId")]
    message_id: &'a str,
    status: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    reason: Option<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    detail: Option<String>,
    #[serde(rename = "eventId", skip_serializing_if = "Option::is_none")]
    event_id: Option<String>,
    duplicate: bool,
    retryable: bool,
}

#[derive(Serialize, Default)]
struct Summary {
    accepted: u64,
    duplicate: u64,
    dropped: u64,
    rejected: u64,
    failed: u64,
}

#[derive(Serialize)]
struct BatchResponse<'a> {
    success: bool,
    results: Vec<ItemResult<'a>>,
    summary: Summary,
}

/// The kinds of event.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Identify,
    Track,
    Page,
}

/// One item that passed the shape checks.
#[derive(Debug)]
struct ParsedItem {
    message_id: String,
    /// The kind, or why the item is rejected.
    verdict: Result<Kind, String>,
    user_id: Option<String>,
    email: Option<String>,
}

/// Limits and the key an ingest request is checked against.
pub(crate) struct IngestContext<'a> {
    pub write_key: &'a str,
    pub max_batch_events: usize,
}

/// Handles one batch body (already within the byte limit). Locks `state`
/// once, after the JSON is parsed and checked.
pub(crate) fn handle_batch(
    body: &[u8],
    ctx: &IngestContext<'_>,
    state: &std::sync::Mutex<State>,
) -> Reply {
    let parsed = parse(body, ctx);
    let mut st = state.lock().unwrap_or_else(|p| p.into_inner());
    let items = match parsed {
        Err(reply) => {
            match reply.status {
                401 => st.ingest.unauthorized += 1,
                413 => st.ingest.too_large += 1,
                _ => st.ingest.bad_request += 1,
            }
            return reply;
        }
        Ok(items) => items,
    };
    if !st.is_connected() {
        st.ingest.unauthorized += 1;
        return error_reply(401, "writeKey revoked: the integration was disconnected");
    }
    let mut summary = Summary::default();
    let mut results = Vec::with_capacity(items.len());
    for (index, item) in items.iter().enumerate() {
        let result = match &item.verdict {
            Err(detail) => {
                summary.rejected += 1;
                ItemResult {
                    index,
                    message_id: &item.message_id,
                    status: "rejected",
                    reason: Some("invalid_input"),
                    detail: Some(detail.clone()),
                    event_id: None,
                    duplicate: false,
                    retryable: false,
                }
            }
            Ok(kind) => {
                let event_id = format!("evt_{}", hex16(&hash16(item.message_id.as_bytes())));
                if st.first_message(&item.message_id) {
                    summary.accepted += 1;
                    match kind {
                        Kind::Identify => {
                            st.ingest.identify += 1;
                            st.record_identify(IdentifyRecord {
                                message_id: item.message_id.clone(),
                                user_id: item.user_id.clone(),
                                email: item.email.clone().unwrap_or_default(),
                            });
                        }
                        Kind::Track => st.ingest.track += 1,
                        Kind::Page => st.ingest.page += 1,
                    }
                    ItemResult {
                        index,
                        message_id: &item.message_id,
                        status: "accepted",
                        reason: None,
                        detail: None,
                        event_id: Some(event_id),
                        duplicate: false,
                        retryable: false,
                    }
                } else {
                    summary.duplicate += 1;
                    ItemResult {
                        index,
                        message_id: &item.message_id,
                        status: "duplicate",
                        reason: Some("duplicate_occurrence"),
                        detail: None,
                        event_id: Some(event_id),
                        duplicate: true,
                        retryable: false,
                    }
                }
            }
        };
        results.push(result);
    }
    st.ingest.batches_ok += 1;
    st.ingest.accepted += summary.accepted;
    st.ingest.duplicate += summary.duplicate;
    st.ingest.rejected += summary.rejected;
    drop(st);
    let response = BatchResponse {
        success: true,
        results,
        summary,
    };
    Reply {
        status: 200,
        body: serde_json::to_vec(&response).unwrap_or_else(|_| b"{}".to_vec()),
    }
}

/// Parses and checks the whole request; per-item problems become the
/// item's verdict.
fn parse(body: &[u8], ctx: &IngestContext<'_>) -> Result<Vec<ParsedItem>, Reply> {
    let root: Value = serde_json::from_slice(body)
        .map_err(|e| error_reply(400, &format!("body is not JSON: {e}")))?;
    let Value::Object(map) = &root else {
        return Err(error_reply(400, "body must be a JSON object"));
    };
    match map.get("writeKey") {
        None | Some(Value::Null) => return Err(error_reply(401, "missing writeKey")),
        Some(Value::String(key)) if key.is_empty() => {
            return Err(error_reply(401, "missing writeKey"));
        }
        Some(Value::String(key)) => {
            if !bool::from(key.as_bytes().ct_eq(ctx.write_key.as_bytes())) {
                return Err(error_reply(401, "invalid writeKey"));
            }
        }
        Some(_) => return Err(error_reply(400, "writeKey must be a string")),
    }
    let batch = match map.get("batch") {
        None | Some(Value::Null) => return Err(error_reply(400, "batch is required")),
        Some(Value::Array(batch)) => batch,
        Some(_) => return Err(error_reply(400, "batch must be an array")),
    };
    if batch.is_empty() {
        return Err(error_reply(400, "batch must not be empty"));
    }
    if batch.len() > ctx.max_batch_events {
        return Err(error_reply(
            413,
            &format!(
                "batch has {} events; at most {} are accepted",
                batch.len(),
                ctx.max_batch_events
            ),
        ));
    }
    if let Some(consent) = map.get("consent") {
        check_consent(consent)?;
    }
    if let Some(other) = map
        .keys()
        .find(|k| !matches!(k.as_str(), "writeKey" | "batch" | "consent"))
    {
        return Err(error_reply(400, &format!("unknown field {other:?}")));
    }
    let mut items = Vec::with_capacity(batch.len());
    for (i, item) in batch.iter().enumerate() {
        let Value::Object(object) = item else {
            return Err(error_reply(400, &format!("batch[{i}] must be an object")));
        };
        let message_id = match object.get("messageId") {
            Some(Value::String(id)) if !id.is_empty() && id.len() <= MAX_MESSAGE_ID_LEN => id,
            Some(Value::String(id)) if !id.is_empty() => {
                return Err(error_reply(
                    400,
                    &format!("batch[{i}].messageId is longer than {MAX_MESSAGE_ID_LEN} bytes"),
                ));
            }
            Some(Value::String(_)) | None | Some(Value::Null) => {
                return Err(error_reply(
                    400,
                    &format!("batch[{i}].messageId is required"),
                ));
            }
            Some(_) => {
                return Err(error_reply(
                    400,
                    &format!("batch[{i}].messageId must be a string"),
                ));
            }
        };
        let verdict = check_item(i, object);
        let text = |key: &str| object.get(key).and_then(Value::as_str).map(str::to_owned);
        items.push(ParsedItem {
            message_id: message_id.clone(),
            user_id: text("userId"),
            email: text("email"),
            verdict,
        });
    }
    Ok(items)
}

/// `consent` must be `{analytics: bool, marketing: bool}`.
fn check_consent(consent: &Value) -> Result<(), Reply> {
    let Value::Object(c) = consent else {
        return Err(error_reply(400, "consent must be an object"));
    };
    for key in ["analytics", "marketing"] {
        match c.get(key) {
            Some(Value::Bool(_)) => {}
            Some(_) => {
                return Err(error_reply(
                    400,
                    &format!("consent.{key} must be a boolean"),
                ));
            }
            None => return Err(error_reply(400, &format!("consent.{key} is required"))),
        }
    }
    if let Some(other) = c
        .keys()
        .find(|k| !matches!(k.as_str(), "analytics" | "marketing"))
    {
        return Err(error_reply(400, &format!("unknown field consent.{other}")));
    }
    Ok(())
}

/// The contract's per-item rules; the error names the field.
fn check_item(i: usize, o: &Map<String, Value>) -> Result<Kind, String> {
    let kind = match o.get("type") {
        None | Some(Value::Null) => return Err(format!("batch[{i}].type is required")),
        Some(Value::String(t)) if t == "identify" => Kind::Identify,
        Some(Value::String(t)) if t == "track" => Kind::Track,
        Some(Value::String(t)) if t == "page" => Kind::Page,
        Some(_) => return Err(format!("batch[{i}].type must be identify, track or page")),
    };
    if let Some(field) = FORBIDDEN_FIELDS.iter().find(|f| o.contains_key(**f)) {
        return Err(format!("batch[{i}].{field} is not accepted"));
    }
    let email = match o.get("email") {
        None | Some(Value::Null) => None,
        Some(Value::String(e)) if is_email(e) => Some(e),
        Some(_) => return Err(format!("batch[{i}].email is not an email address")),
    };
    let user_id = match o.get("userId") {
        None | Some(Value::Null) => None,
        Some(Value::String(u)) if !u.trim().is_empty() => Some(u),
        Some(_) => return Err(format!("batch[{i}].userId must be a non-empty string")),
    };
    for key in ["traits", "properties"] {
        if let Some(v) = o.get(key)
            && !v.is_object()
            && !v.is_null()
        {
            return Err(format!("batch[{i}].{key} must be an object"));
        }
    }
    for key in ["timestamp", "source", "name"] {
        if let Some(v) = o.get(key)
            && !v.is_string()
            && !v.is_null()
        {
            return Err(format!("batch[{i}].{key} must be a string"));
        }
    }
    match kind {
        Kind::Identify if email.is_none() => {
            return Err(format!("batch[{i}].email is required for identify"));
        }
        Kind::Track => match o.get("event") {
            Some(Value::String(e)) if !e.trim().is_empty() => {}
            _ => return Err(format!("batch[{i}].event is required for track")),
        },
        _ => {}
    }
    if matches!(kind, Kind::Track | Kind::Page) && email.is_none() && user_id.is_none() {
        return Err(format!(
            "batch[{i}] needs email or userId for {}",
            if kind == Kind::Track { "track" } else { "page" }
        ));
    }
    Ok(kind)
}

/// A loose email check: one `@` with something on both sides, no spaces.
fn is_email(text: &str) -> bool {
    match text.split_once('@') {
        Some((local, domain)) => {
            !local.is_empty()
                && !domain.is_empty()
                && !domain.contains('@')
                && !text.chars().any(char::is_whitespace)
        }
        None => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;
    use std::sync::Mutex;

    const KEY: &str = "sk_sandbox_test";

    fn run(state: &Mutex<State>, body: &Value) -> (u16, Value) {
        let ctx = IngestContext {
            write_key: KEY,
            max_batch_events: 3,
        };
        let reply = handle_batch(&serde_json::to_vec(body).unwrap(), &ctx, state);
        (reply.status, serde_json::from_slice(&reply.body).unwrap())
    }

    #[test]
    fn whole_request_errors() {
        let state = Mutex::new(State::new());
        let ok_item = json!({"type": "identify", "messageId": "m", "email": "a@b.c"});
        let cases: Vec<(Value, u16, &str)> = vec![
            (json!([1]), 400, "body must be a JSON object"),
            (json!({"batch": [ok_item]}), 401, "missing writeKey"),
            (
                json!({"writeKey": "", "batch": [ok_item]}),
                401,
                "missing writeKey",
            ),
            (
                json!({"writeKey": "nope", "batch": [ok_item]}),
                401,
                "invalid writeKey",
            ),
            (
                json!({"writeKey": 5, "batch": [ok_item]}),
                400,
                "writeKey must be a string",
            ),
            (json!({"writeKey": KEY}), 400, "batch is required"),
            (
                json!({"writeKey": KEY, "batch": {}}),
                400,
                "batch must be an array",
            ),
            (
                json!({"writeKey": KEY, "batch": []}),
                400,
                "batch must not be empty",
            ),
            (
                json!({"writeKey": KEY, "batch": [ok_item, ok_item, ok_item, ok_item]}),
                413,
                "batch has 4 events; at most 3",
            ),
            (
                json!({"writeKey": KEY, "batch": [1]}),
                400,
                "batch[0] must be an object",
            ),
            (
                json!({"writeKey": KEY, "batch": [ok_item, {"type": "track"}]}),
                400,
                "batch[1].messageId is required",
            ),
            (
                json!({"writeKey": KEY, "batch": [{"messageId": 7}]}),
                400,
                "batch[0].messageId must be a string",
            ),
            (
                json!({"writeKey": KEY, "batch": [ok_item], "consent": {"analytics": 1, "marketing": true}}),
                400,
                "consent.analytics must be a boolean",
            ),
            (
                json!({"writeKey": KEY, "batch": [ok_item], "consent": {"analytics": true}}),
                400,
                "consent.marketing is required",
            ),
            (
                json!({"writeKey": KEY, "batch": [ok_item], "extra": 1}),
                400,
                "unknown field \"extra\"",
            ),
        ];
        for (body, status, error) in cases {
            let (got_status, got) = run(&state, &body);
            assert_eq!(got_status, status, "{body}");
            let text = got["error"].as_str().unwrap_or_default();
            assert!(text.starts_with(error), "{body}: {text}");
        }
        let reply = handle_batch(
            b"{not json",
            &IngestContext {
                write_key: KEY,
                max_batch_events: 3,
            },
            &state,
        );
        assert_eq!(reply.status, 400);
        assert!(String::from_utf8_lossy(&reply.body).contains("body is not JSON"));
        let s = state.lock().unwrap().stats().ingest;
        assert_eq!(
            (s.unauthorized, s.too_large, s.bad_request, s.batches_ok),
            (3, 1, 12, 0)
        );
    }

    #[test]
    fn item_verdicts() {
        let cases: Vec<(Value, Result<Kind, &str>)> = vec![
            (
                json!({"type": "identify", "email": "a@b.c"}),
                Ok(Kind::Identify),
            ),
            (
                json!({"type": "identify", "email": "a@b.c", "userId": "wp_1", "traits": {"x": 1}}),
                Ok(Kind::Identify),
            ),
            (
                json!({"type": "identify", "userId": "wp_1"}),
                Err("batch[0].email is required for identify"),
            ),
            (
                json!({"type": "identify", "email": "nope"}),
                Err("batch[0].email is not an email address"),
            ),
            (
                json!({"type": "track", "event": "x", "userId": "wc_2"}),
                Ok(Kind::Track),
            ),
            (
                json!({"type": "track", "userId": "wc_2"}),
                Err("batch[0].event is required for track"),
            ),
            (
                json!({"type": "track", "event": "x"}),
                Err("batch[0] needs email or userId for track"),
            ),
            (json!({"type": "page", "email": "a@b.c"}), Ok(Kind::Page)),
            (
                json!({"type": "page"}),
                Err("batch[0] needs email or userId for page"),
            ),
            (
                json!({"type": "alias"}),
                Err("batch[0].type must be identify, track or page"),
            ),
            (json!({}), Err("batch[0].type is required")),
            (
                json!({"type": "page", "email": "a@b.c", "anonymousId": "x"}),
                Err("batch[0].anonymousId is not accepted"),
            ),
            (
                json!({"type": "page", "email": "a@b.c", "properties": [1]}),
                Err("batch[0].properties must be an object"),
            ),
            (
                json!({"type": "page", "email": "a@b.c", "timestamp": 5}),
                Err("batch[0].timestamp must be a string"),
            ),
            (
                json!({"type": "page", "userId": ""}),
                Err("batch[0].userId must be a non-empty string"),
            ),
        ];
        for (item, want) in cases {
            let Value::Object(o) = &item else {
                unreachable!()
            };
            assert_eq!(check_item(0, o), want.map_err(str::to_owned), "{item}");
        }
    }

    #[test]
    fn results_dedup_by_message_id() {
        let state = Mutex::new(State::new());
        let body = json!({"writeKey": KEY, "batch": [
            {"type": "identify", "messageId": "m1", "email": "a@b.c", "userId": "wp_1"},
            {"type": "track", "messageId": "m2", "email": "a@b.c"},
            {"type": "track", "messageId": "m1", "event": "x", "email": "a@b.c"},
        ]});
        let (status, v) = run(&state, &body);
        assert_eq!(status, 200);
        assert_eq!(v["success"], json!(true));
        let statuses: Vec<&str> = v["results"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| r["status"].as_str().unwrap())
            .collect();
        assert_eq!(statuses, ["accepted", "rejected", "duplicate"]);
        assert_eq!(v["results"][1]["reason"], json!("invalid_input"));
        assert_eq!(
            v["results"][1]["detail"],
            json!("batch[1].event is required for track")
        );
        assert_eq!(v["results"][2]["reason"], json!("duplicate_occurrence"));
        assert_eq!(v["results"][0]["eventId"], v["results"][2]["eventId"]);
        assert_eq!(v["results"][2]["index"], json!(2));
        assert_eq!(v["results"][2]["messageId"], json!("m1"));
        assert_eq!(
            v["summary"],
            json!({"accepted": 1, "duplicate": 1, "dropped": 0, "rejected": 1, "failed": 0})
        );
        // A rejected item does not consume its messageId.
        let retry = json!({"writeKey": KEY, "batch": [{"type": "track", "messageId": "m2", "event": "y", "email": "a@b.c"}]});
        assert_eq!(
            run(&state, &retry).1["results"][0]["status"],
            json!("accepted")
        );
        let st = state.lock().unwrap();
        let (total, ids) = st.identifies(0, 10);
        assert_eq!(total, 1);
        assert_eq!(ids[0].user_id.as_deref(), Some("wp_1"));
        assert_eq!(st.stats().identify_events, 1);
    }

    #[test]
    fn disconnected_key_is_refused() {
        let state = Mutex::new(State::new());
        state.lock().unwrap().disconnect();
        let body = json!({"writeKey": KEY, "batch": [{"type": "page", "messageId": "m", "email": "a@b.c"}]});
        let (status, v) = run(&state, &body);
        assert_eq!(status, 401);
        assert!(v["error"].as_str().unwrap().contains("revoked"));
    }
}
