//! Calls to the widget API (the shapes are protocol::widget_api's), over gloo-net.

use crate::digits::decimal;
use crate::json;
use gloo_net::http::Request;
use js_sys::Reflect;
use liaison_protocol::widget_api::{BASE_PATH, VisitorMetadata};
use liaison_protocol::{ConversationStatus, Message};
use wasm_bindgen::JsValue;

#[derive(Debug)]
pub enum ApiError {
    /// The token is unknown: start a new visitor.
    Unauthorized,
    /// The server refused the request; retrying the same request will not help.
    Refused(String),
    /// Too many requests: the server's reason, and how long to wait (ms) before trying again.
    Busy(String, i32),
    /// Network trouble, a server error, or an answer we could not read: worth retrying.
    Unavailable,
}

pub struct Api {
    pub base: String,
    pub token: String,
}

impl Api {
    /// Where the visitor's browser reads an attachment (the token in the query: `<img>` and
    /// `<audio>` cannot send headers).
    pub fn attachment_url(&self, id: i64, thumb: bool) -> String {
        let thumb = if thumb { "&thumb" } else { "" };
        [
            &url(&self.base, "/attachments/"),
            &*decimal(id),
            "?token=",
            &self.token,
            thumb,
        ]
        .concat()
    }
}

pub struct Session {
    pub token: String,
}

pub struct Conversation {
    pub id: i64,
    pub status: ConversationStatus,
    pub messages: Vec<Message>,
    pub rated: bool,
}

/// A row of the menu's past conversations.
pub struct Past {
    pub id: i64,
    pub status: ConversationStatus,
    pub last_message: String,
    pub last_activity_at: i64,
}

fn read_conversation(c: &JsValue) -> Option<Conversation> {
    Some(Conversation {
        id: json::int(c, "id")?,
        status: json::status(c, "status")?,
        messages: json::array(c, "messages")
            .iter()
            .filter_map(|m| json::message(&m))
            .collect(),
        rated: json::get(c, "rated").as_bool().unwrap_or(false),
    })
}

pub struct ConversationView {
    pub conversation: Option<Conversation>,
    pub cursor: i64,
    pub operators_online: bool,
    /// Visitors can book meetings (Settings → Bookings).
    pub booking: bool,
    /// The pre-chat form's fields (name, email, phone) and whether each is required; empty when
    /// no form is due.
    pub prechat: Vec<(String, bool)>,
    /// The visitor's email address is on file ("Leave a message" need not ask for it).
    pub email_on_file: bool,
}

fn url(base: &str, path: &str) -> String {
    [base, BASE_PATH, path].concat()
}

/// What a call sends.
enum Body {
    Get,
    Post,
    Json(String),
    Form(web_sys::FormData),
}

/// One call to the widget API, as the visitor with `token` when there is one. The request is
/// the browser's own, handed to gloo-net to send and read: gloo-net's builder formats URLs with
/// `core::fmt`, which nothing else in the widget needs (about 0.6 KB on the wire).
async fn call(url: &str, token: Option<&str>, body: Body) -> Result<JsValue, ApiError> {
    read(build(url, token, body).ok_or(ApiError::Unavailable)?).await
}

fn build(url: &str, token: Option<&str>, body: Body) -> Option<Request> {
    let init = web_sys::RequestInit::new();
    let headers = web_sys::Headers::new().ok()?;
    if let Some(token) = token {
        headers
            .set("Authorization", &["Bearer ", token].concat())
            .ok()?;
    }
    init.set_method(if matches!(body, Body::Get) {
        "GET"
    } else {
        "POST"
    });
    match &body {
        Body::Json(text) => {
            headers.set("Content-Type", "application/json").ok()?;
            init.set_body(&JsValue::from_str(text));
        }
        Body::Form(form) => init.set_body(form),
        Body::Get | Body::Post => {}
    }
    init.set_headers(&headers);
    web_sys::Request::new_with_str_and_init(url, &init)
        .ok()
        .map(Request::from)
}

/// Sends a request and reads the answer: JSON, or the server's reason for refusing.
async fn read(request: gloo_net::http::Request) -> Result<JsValue, ApiError> {
    let response = request.send().await.map_err(|_| ApiError::Unavailable)?;
    let status = response.status();
    let retry_after = response
        .headers()
        .get("retry-after")
        .and_then(|s| s.trim().parse::<i32>().ok())
        .unwrap_or(5);
    let text = response.text().await.map_err(|_| ApiError::Unavailable)?;
    let value = json::parse(&text);
    let reason = |value: Option<JsValue>| {
        value
            .and_then(|v| json::string(&v, "error"))
            .unwrap_or(text.clone())
    };
    match status {
        204 => Ok(JsValue::NULL),
        200..=299 => value.ok_or(ApiError::Unavailable),
        401 => Err(ApiError::Unauthorized),
        429 => Err(ApiError::Busy(reason(value), retry_after.min(600) * 1000)),
        400..=499 => Err(ApiError::Refused(reason(value))),
        _ => Err(ApiError::Unavailable),
    }
}

pub async fn session(
    base: &str,
    token: Option<String>,
    m: VisitorMetadata,
) -> Result<Session, ApiError> {
    let metadata = json::object(&[
        ("browser", m.browser.as_deref()),
        ("timezone", m.timezone.as_deref()),
        ("referrer", m.referrer.as_deref()),
        ("page", m.page.as_deref()),
        ("language", m.language.as_deref()),
    ]);
    let body = json::object(&[("token", token.as_deref())]);
    let _ = Reflect::set(&body, &JsValue::from_str("metadata"), &metadata);
    // The site's signed-in user, as the page gave it (`data-user-id`, `data-user-hash`).
    if let Some(host) = web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.get_element_by_id("liaison-widget"))
        && let Some(id) = host.get_attribute("data-user-id")
    {
        let hash = host.get_attribute("data-user-hash");
        let user = json::object(&[("id", Some(&id)), ("hash", hash.as_deref())]);
        let _ = Reflect::set(&body, &JsValue::from_str("user"), &user);
    }
    let v = call(
        &url(base, "/session"),
        None,
        Body::Json(json::stringify(&body)),
    )
    .await?;
    Ok(Session {
        token: json::string(&v, "token").ok_or(ApiError::Unavailable)?,
    })
}

impl Api {
    /// One call to the widget API as this visitor: a POST when it has a body or `post`.
    async fn request(
        &self,
        post: bool,
        path: &str,
        body: Option<String>,
    ) -> Result<JsValue, ApiError> {
        let body = match body {
            Some(json) => Body::Json(json),
            None if post => Body::Post,
            None => Body::Get,
        };
        call(&url(&self.base, path), Some(&self.token), body).await
    }

    pub async fn conversation(&self) -> Result<ConversationView, ApiError> {
        let v = self.request(false, "/conversation", None).await?;
        let c = json::get(&v, "conversation");
        let conversation = if c.is_object() {
            Some(read_conversation(&c).ok_or(ApiError::Unavailable)?)
        } else {
            None
        };
        Ok(ConversationView {
            conversation,
            cursor: json::int(&v, "cursor").unwrap_or(0),
            operators_online: json::get(&v, "operators_online").as_bool().unwrap_or(true),
            booking: json::get(&v, "booking").as_bool().unwrap_or(false),
            prechat: json::array(&v, "prechat")
                .iter()
                .filter_map(|f| {
                    let required = json::get(&f, "required").as_bool().unwrap_or(false);
                    Some((json::string(&f, "field")?, required))
                })
                .collect(),
            email_on_file: json::get(&v, "email_on_file").as_bool().unwrap_or(false),
        })
    }

    /// A page of the visitor's conversations, newest first (the menu), and where the next
    /// page starts.
    pub async fn past(&self, before: Option<i64>) -> Result<(Vec<Past>, Option<i64>), ApiError> {
        let query = before.map_or(String::new(), |b| ["?before=", &decimal(b)].concat());
        let v = self
            .request(false, &["/conversations", &query].concat(), None)
            .await?;
        let list = json::array(&v, "conversations")
            .iter()
            .filter_map(|c| {
                Some(Past {
                    id: json::int(&c, "id")?,
                    status: json::status(&c, "status")?,
                    last_message: json::string(&c, "last_message").unwrap_or_default(),
                    last_activity_at: json::int(&c, "last_activity_at")?,
                })
            })
            .collect();
        Ok((list, json::int(&v, "next_before")))
    }

    /// One of the visitor's conversations, to read again.
    pub async fn past_conversation(&self, id: i64) -> Result<Conversation, ApiError> {
        let v = self
            .request(false, &["/conversations/", &decimal(id)].concat(), None)
            .await?;
        read_conversation(&v).ok_or(ApiError::Unavailable)
    }

    /// Sends a file (the paperclip) with a client id, so a retry is stored once.
    pub async fn upload(
        &self,
        client_msg_id: &str,
        file: &web_sys::File,
    ) -> Result<Message, ApiError> {
        let form = web_sys::FormData::new().map_err(|_| ApiError::Unavailable)?;
        form.append_with_blob_and_filename("file", file, &file.name())
            .map_err(|_| ApiError::Unavailable)?;
        form.append_with_str("client_msg_id", client_msg_id)
            .map_err(|_| ApiError::Unavailable)?;
        let v = call(
            &url(&self.base, "/attachments"),
            Some(&self.token),
            Body::Form(form),
        )
        .await?;
        json::message(&json::get(&v, "message")).ok_or(ApiError::Unavailable)
    }

    /// The feedback categories a rating may carry.
    pub async fn rating_categories(&self) -> Result<Vec<String>, ApiError> {
        let v = self.request(false, "/rating", None).await?;
        Ok(json::array(&v, "categories")
            .iter()
            .filter_map(|c| c.as_string())
            .collect())
    }

    pub async fn rate(
        &self,
        stars: u8,
        categories: &[String],
        comment: &str,
    ) -> Result<(), ApiError> {
        let body = json::object(&[("comment", Some(comment))]);
        let _ = Reflect::set(&body, &"stars".into(), &JsValue::from(stars));
        let list = js_sys::Array::new();
        for c in categories {
            list.push(&JsValue::from_str(c));
        }
        let _ = Reflect::set(&body, &"categories".into(), &list);
        self.request(true, "/rating", Some(json::stringify(&body)))
            .await
            .map(|_| ())
    }

    /// Tells operators the visitor is typing (the caller throttles).
    pub async fn typing(&self) {
        let _ = self.request(true, "/typing", None).await;
    }

    pub async fn send(&self, client_msg_id: &str, body: &str) -> Result<Message, ApiError> {
        let request = json::object(&[("client_msg_id", Some(client_msg_id)), ("body", Some(body))]);
        let v = self
            .request(true, "/messages", Some(json::stringify(&request)))
            .await?;
        json::message(&json::get(&v, "message")).ok_or(ApiError::Unavailable)
    }

    /// The pre-chat form's answers, as `(field, value)` pairs.
    pub async fn prechat(&self, answers: &[(&str, Option<&str>)]) -> Result<(), ApiError> {
        self.request(
            true,
            "/prechat",
            Some(json::stringify(&json::object(answers))),
        )
        .await
        .map(|_| ())
    }

    /// "Book a meeting": the server posts a card of free slots and returns it.
    pub async fn offer_slots(&self) -> Result<Message, ApiError> {
        let v = self.request(true, "/booking/offer", None).await?;
        json::message(&v).ok_or(ApiError::Unavailable)
    }

    /// Books the slot starting at `start` (ms); the confirmation message, or the reason not.
    pub async fn book(&self, start: i64) -> Result<Message, ApiError> {
        let v = self
            .request(
                true,
                "/booking",
                Some(["{\"start\":", &decimal(start), "}"].concat()),
            )
            .await?;
        json::message(&v).ok_or(ApiError::Unavailable)
    }

    /// "Talk to a human", or "Leave a message" with the address to reply to.
    pub async fn escalate(&self, email: Option<&str>) -> Result<(), ApiError> {
        self.request(
            true,
            "/escalate",
            email.map(|e| json::stringify(&json::object(&[("email", Some(e))]))),
        )
        .await
        .map(|_| ())
    }

    pub fn stream_url(&self, after: i64) -> String {
        [
            &url(&self.base, "/stream"),
            "?token=",
            &self.token,
            "&after=",
            &decimal(after),
        ]
        .concat()
    }
}
