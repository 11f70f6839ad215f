//! JSON in and out through the browser's own `JSON.parse` / `JSON.stringify`, mapped by hand
//! onto the protocol's types. serde_json would cost this widget about 60 KB of wasm (its
//! deserializers and float formatting) for the half-dozen shapes it reads; the shapes are
//! defined once, in protocol/, and the server writes them with serde.

use js_sys::{Array, JSON, Object, Reflect};
use liaison_protocol::booking::{BookingCard, Slot};
use liaison_protocol::{
    Attachment, Citation, ConversationStatus, Event, Message, MessageKind, Sender,
};
use wasm_bindgen::JsValue;

pub fn parse(text: &str) -> Option<JsValue> {
    JSON::parse(text).ok().filter(|v| v.is_object())
}

pub fn get(obj: &JsValue, key: &str) -> JsValue {
    Reflect::get(obj, &JsValue::from_str(key)).unwrap_or(JsValue::UNDEFINED)
}

pub fn string(obj: &JsValue, key: &str) -> Option<String> {
    get(obj, key).as_string()
}

pub fn int(obj: &JsValue, key: &str) -> Option<i64> {
    get(obj, key).as_f64().map(|f| f as i64)
}

pub fn status(obj: &JsValue, key: &str) -> Option<ConversationStatus> {
    ConversationStatus::parse(&string(obj, key)?)
}

/// The array under `key`, or an empty one (omitted arrays are the normal case).
pub fn array(obj: &JsValue, key: &str) -> Array {
    let v = get(obj, key);
    if Array::is_array(&v) {
        Array::from(&v)
    } else {
        Array::new()
    }
}

pub fn message(v: &JsValue) -> Option<Message> {
    if !v.is_object() {
        return None;
    }
    let citations = array(v, "citations")
        .iter()
        .filter_map(|c| {
            Some(Citation {
                title: string(&c, "title")?,
                url: string(&c, "url"),
            })
        })
        .collect();
    Some(Message {
        id: int(v, "id")?,
        conversation_id: int(v, "conversation_id")?,
        sender: Sender::parse(&string(v, "sender")?)?,
        kind: string(v, "kind")
            .and_then(|k| MessageKind::parse(&k))
            .unwrap_or_default(),
        body: string(v, "body")?,
        attachment: attachment(&get(v, "attachment")),
        booking: booking(&get(v, "booking")).map(Box::new),
        internal: get(v, "internal").as_bool().unwrap_or(false),
        client_msg_id: string(v, "client_msg_id"),
        citations,
        created_at: int(v, "created_at").unwrap_or(0),
        delivery: None,
        delivery_error: None,
    })
}

fn attachment(v: &JsValue) -> Option<Attachment> {
    if !v.is_object() {
        return None;
    }
    Some(Attachment {
        id: int(v, "id")?,
        name: string(v, "name")?,
        mime: string(v, "mime")?,
        size: int(v, "size").unwrap_or(0),
        thumbnail: get(v, "thumbnail").as_bool().unwrap_or(false),
    })
}

fn slot(v: &JsValue) -> Option<Slot> {
    Some(Slot {
        start: int(v, "start")?,
        end: int(v, "end")?,
    })
}

fn booking(v: &JsValue) -> Option<BookingCard> {
    if !v.is_object() {
        return None;
    }
    Some(BookingCard {
        slots: array(v, "slots").iter().filter_map(|s| slot(&s)).collect(),
        booked: slot(&get(v, "booked")),
        time_zone: string(v, "time_zone").unwrap_or_default(),
    })
}

/// The stream events the widget acts on; anything else (or malformed) is None.
pub fn event(text: &str) -> Option<Event> {
    let v = parse(text)?;
    match string(&v, "type")?.as_str() {
        "message_created" => Some(Event::MessageCreated {
            message: message(&get(&v, "message"))?,
        }),
        "status_changed" => Some(Event::StatusChanged {
            conversation_id: int(&v, "conversation_id")?,
            status: status(&v, "status")?,
        }),
        _ => None,
    }
}

/// A live piece of the AI's answer (`ai_delta`): its conversation and text.
pub fn delta(text: &str) -> Option<(i64, String)> {
    let v = parse(text)?;
    Some((int(&v, "conversation_id")?, string(&v, "text")?))
}

/// Builds a JSON object text from string fields; None fields are left out.
pub fn object(fields: &[(&str, Option<&str>)]) -> Object {
    let obj = Object::new();
    for (key, value) in fields {
        if let Some(v) = value {
            let _ = Reflect::set(&obj, &JsValue::from_str(key), &JsValue::from_str(v));
        }
    }
    obj
}

pub fn stringify(value: &JsValue) -> String {
    JSON::stringify(value)
        .ok()
        .and_then(|s| s.as_string())
        .unwrap_or_default()
}
