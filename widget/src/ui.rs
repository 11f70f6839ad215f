//! The DOM and the wiring: builds the widget, restores the visitor, follows the stream.

use crate::api::{self, Api, ApiError};
use crate::json;
use crate::texts::{self, t};
use crate::thread::{Change, Thread};
use liaison_protocol::booking::BookingCard;
use liaison_protocol::widget_api::VisitorMetadata;
use liaison_protocol::widget_texts::Text;
use liaison_protocol::{Attachment, ConversationStatus, Message, MessageKind, Sender};
use std::cell::{Cell, RefCell};
use std::rc::Rc;
use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::{JsFuture, spawn_local};
use web_sys::{Document, Element, HtmlInputElement};

mod menu;

const TOKEN_KEY: &str = "liaison.visitor";
/// The newest message the visitor has had in front of them, so the launcher counts only the
/// replies they have not seen, across pages. The loader reads it too: a visitor who has one gets the chat at
/// once on every page.
const SEEN_KEY: &str = "liaison.seen";

fn seen() -> i64 {
    storage()
        .and_then(|s| s.get_item(SEEN_KEY).ok().flatten())
        .and_then(|v| v.parse().ok())
        .unwrap_or(0)
}

fn mark_seen(id: i64) {
    if id > seen()
        && let Some(s) = storage()
    {
        let _ = s.set_item(SEEN_KEY, &id.to_string());
    }
}
const STYLE: &str = include_str!("style.css");

struct Widget {
    doc: Document,
    launcher: Element,
    human: Element,
    /// "Book a meeting", shown when Settings → Bookings allows it.
    book: Element,
    /// The message form, and the pre-chat form shown instead of it when Settings asks for one.
    compose: Element,
    prechat: Element,
    panel: Element,
    messages: Element,
    resolved: Element,
    input: HtmlInputElement,
    base: String,
    api: RefCell<Option<Rc<Api>>>,
    thread: RefCell<Thread>,
    /// The AI's answer while it streams in; replaced by the stored message when it arrives.
    draft: RefCell<Option<Element>>,
    /// "Support Agent is typing…", shown for a few seconds after each typing event.
    typing: Element,
    typing_shown_at: Cell<f64>,
    /// When the visitor last told operators they are typing (at most every 3 s).
    typing_sent_at: Cell<f64>,
    /// The rating prompt inside the resolved banner.
    rating: Element,
    rated: Rc<Cell<bool>>,
    /// Whether any operator is online; when none is, "Talk to a human" becomes "Leave a message".
    online: Cell<bool>,
    /// Whether the server has the visitor's email address ("Leave a message" asks for it).
    email_on_file: Cell<bool>,
    /// The form under the thread is asking for the address to leave a message with, not the
    /// pre-chat form's fields.
    leaving: Cell<bool>,
    /// The live conversation's parts, and the menu's past conversations shown in their place.
    live: Element,
    past: Element,
    /// The menu under the header: new conversation, past conversations, talk to a human.
    menu: Element,
    menu_button: Element,
    new_chat: Element,
    menu_human: Element,
    /// Replies not seen yet (the launcher's count), and the newest message shown.
    unread: Cell<u32>,
    newest: Cell<i64>,
}

fn el(doc: &Document, tag: &str, class: &str) -> Element {
    let e = doc.create_element(tag).expect("create element");
    if !class.is_empty() {
        e.set_class_name(class);
    }
    e
}

fn on(target: &Element, event: &str, f: impl FnMut(web_sys::Event) + 'static) {
    let closure = Closure::<dyn FnMut(web_sys::Event)>::new(f);
    let _ = target.add_event_listener_with_callback(event, closure.as_ref().unchecked_ref());
    // Widget elements live as long as the page.
    closure.forget();
}

fn button(doc: &Document, class: &str, text: &str) -> Element {
    let b = el(doc, "button", class);
    b.set_text_content(Some(text));
    let _ = b.set_attribute("type", "button");
    b
}

/// Builds the widget in the loader's host, and opens it when the visitor's click on the
/// launcher is what loaded it.
pub fn mount(base: String, config_json: String, open: bool) {
    // What Settings and the visitor's language say (`GET /config`, fetched by the loader).
    let config = json::parse(&config_json);
    let look = config.as_ref().map(|c| json::get(c, "look"));
    if let Some(c) = &config {
        texts::load(c);
    }
    let look_text = |key| {
        look.as_ref()
            .and_then(|l| json::string(l, key))
            .filter(|t| !t.is_empty())
    };
    let window = web_sys::window().expect("window");
    let doc = window.document().expect("document");
    // The loader made the host (with the look's colour and side) and the launcher, to show it
    // before this loads; the widget grows from them.
    let Some(shadow) = doc
        .get_element_by_id("liaison-widget")
        .and_then(|host| host.shadow_root())
    else {
        return;
    };
    let Ok(Some(launcher)) = shadow.query_selector(".launcher") else {
        return;
    };

    let style = el(&doc, "style", "");
    style.set_text_content(Some(STYLE));
    let panel = el(&doc, "section", "panel");
    let _ = panel.set_attribute("hidden", "");
    let _ = panel.set_attribute("aria-label", t(Text::Chat));

    let header = el(&doc, "header", "");
    let title = el(&doc, "span", "title");
    title.set_text_content(Some(
        &look_text("title").unwrap_or_else(|| t(Text::Title).into()),
    ));
    let human = button(&doc, "human", t(Text::TalkToHuman));
    let book = button(&doc, "book", t(Text::BookMeeting));
    let _ = book.set_attribute("hidden", "");
    let close = button(&doc, "close", "×");
    let _ = close.set_attribute("aria-label", t(Text::CloseChat));
    let menu_button = button(&doc, "menu-button", "☰");
    let _ = menu_button.set_attribute("aria-label", t(Text::Menu));
    let _ = menu_button.set_attribute("aria-expanded", "false");
    for child in [&menu_button, &title, &book, &human, &close] {
        let _ = header.append_child(child);
    }

    let messages = el(&doc, "div", "messages");
    let _ = messages.set_attribute("role", "log");
    let resolved = el(&doc, "div", "resolved");
    let _ = resolved.set_attribute("hidden", "");
    let note = el(&doc, "p", "");
    note.set_text_content(Some(t(Text::Resolved)));
    let restart = button(&doc, "restart", t(Text::StartNew));
    let rating = el(&doc, "div", "rating");
    let _ = rating.set_attribute("hidden", "");
    let _ = resolved.append_child(&note);
    let _ = resolved.append_child(&rating);
    let _ = resolved.append_child(&restart);
    let typing = el(&doc, "div", "typing");
    typing.set_text_content(Some(t(Text::Typing)));
    let _ = typing.set_attribute("hidden", "");
    let _ = typing.set_attribute("role", "status");

    let form = el(&doc, "form", "");
    let input: HtmlInputElement = el(&doc, "input", "").unchecked_into();
    input.set_placeholder(t(Text::Placeholder));
    let _ = input.set_attribute("aria-label", t(Text::Message));
    let send = el(&doc, "button", "");
    send.set_text_content(Some(t(Text::Send)));
    let _ = send.set_attribute("type", "submit");
    // The paperclip: images, PDFs and documents (the server checks what the bytes are).
    let attach = el(&doc, "label", "attach");
    let _ = attach.set_attribute("title", t(Text::SendFile));
    let _ = attach.set_attribute("aria-label", t(Text::SendFile));
    attach.set_text_content(Some("📎"));
    let file: HtmlInputElement = el(&doc, "input", "").unchecked_into();
    file.set_type("file");
    file.set_accept("image/*,.pdf,.doc,.docx,.xls,.xlsx,.ppt,.pptx,.odt,.ods,.odp,.rtf");
    let _ = file.set_attribute("hidden", "");
    let _ = attach.append_child(&file);
    let _ = form.append_child(&attach);
    let _ = form.append_child(&input);
    let _ = form.append_child(&send);

    let prechat = el(&doc, "form", "prechat");
    let _ = prechat.set_attribute("hidden", "");

    // The live conversation, and in its place the menu's past conversations when asked for.
    let live = el(&doc, "div", "live");
    for child in [&messages, &typing, &resolved, &prechat, &form] {
        let _ = live.append_child(child);
    }
    let past = el(&doc, "div", "past");
    let _ = past.set_attribute("hidden", "");
    let (menu, new_chat, past_item, menu_human) = menu::build(&doc);
    for child in [&header, &menu, &live, &past] {
        let _ = panel.append_child(child);
    }
    for child in [&style, &panel] {
        let _ = shadow.append_child(child);
    }

    let w = Rc::new(Widget {
        doc,
        launcher: launcher.clone(),
        human: human.clone(),
        book: book.clone(),
        compose: form.clone(),
        prechat: prechat.clone(),
        panel,
        messages,
        resolved,
        input,
        live,
        past,
        menu,
        menu_button: menu_button.clone(),
        new_chat,
        menu_human,
        unread: Cell::new(0),
        newest: Cell::new(0),
        base,
        api: RefCell::new(None),
        thread: RefCell::new(Thread::default()),
        draft: RefCell::new(None),
        typing,
        typing_shown_at: Cell::new(0.0),
        typing_sent_at: Cell::new(0.0),
        rating,
        rated: Rc::default(),
        online: Cell::new(true),
        email_on_file: Cell::new(false),
        leaving: Cell::new(false),
    });
    w.hint(&look_text("greeting").unwrap_or_else(|| t(Text::Welcome).into()));

    let wl = w.clone();
    on(&launcher, "click", move |_| {
        wl.toggle_attribute_hidden();
    });
    let wc = w.clone();
    on(&close, "click", move |_| {
        let _ = wc.panel.set_attribute("hidden", "");
    });
    let wh = w.clone();
    on(&human, "click", move |_| {
        let w = wh.clone();
        spawn_local(async move { w.escalate().await });
    });
    let wp = w.clone();
    on(&prechat, "submit", move |e| {
        e.prevent_default();
        let w = wp.clone();
        spawn_local(async move {
            if w.leaving.get() {
                w.leave_message().await
            } else {
                w.send_prechat().await
            }
        });
    });
    let wb = w.clone();
    on(&book, "click", move |_| {
        let w = wb.clone();
        spawn_local(async move { w.offer_slots().await });
    });
    // A slot in a booking card: one listener for every card.
    let ws = w.clone();
    on(&w.messages, "click", move |e| {
        let start = e
            .target()
            .and_then(|t| t.dyn_into::<Element>().ok())
            .and_then(|t| t.get_attribute("data-slot"))
            .and_then(|s| s.parse::<i64>().ok());
        if let Some(start) = start {
            let w = ws.clone();
            spawn_local(async move { w.book_slot(start).await });
        }
    });
    let wr = w.clone();
    on(&restart, "click", move |_| wr.restart());
    menu::listen(&w, &menu_button, &past_item);
    let wa = w.clone();
    let picked = file.clone();
    on(&file, "change", move |_| {
        let Some(f) = picked.files().and_then(|list| list.get(0)) else {
            return;
        };
        picked.set_value("");
        if wa.thread.borrow().closed() {
            wa.restart();
        }
        let w = wa.clone();
        spawn_local(async move { w.send_file(f).await });
    });
    let wt = w.clone();
    on(&w.input, "input", move |_| wt.clone().typed());
    let wf = w.clone();
    on(&form, "submit", move |e| {
        e.prevent_default();
        let body = wf.input.value();
        if body.trim().is_empty() || wf.thread.borrow().closed() {
            return;
        }
        wf.input.set_value("");
        let w = wf.clone();
        spawn_local(async move { w.send(body).await });
    });

    if open {
        w.toggle_attribute_hidden();
    }
    spawn_local(async move { w.start().await });
}

/// "Tue, 1 Dec, 10:00" in the visitor's language and time zone.
fn local_time(ms: i64) -> String {
    let date = js_sys::Date::new(&JsValue::from_f64(ms as f64));
    let options = json::object(&[
        ("weekday", Some("short")),
        ("day", Some("numeric")),
        ("month", Some("short")),
        ("hour", Some("2-digit")),
        ("minute", Some("2-digit")),
    ]);
    date.to_locale_string("default", &options).into()
}

fn metadata() -> VisitorMetadata {
    let window = web_sys::window().expect("window");
    let nav = window.navigator();
    let doc = window.document().expect("document");
    let timezone = js_sys::Reflect::get(
        &js_sys::Intl::DateTimeFormat::new(&js_sys::Array::new(), &js_sys::Object::new())
            .resolved_options(),
        &"timeZone".into(),
    )
    .ok()
    .and_then(|v| v.as_string());
    let referrer = doc.referrer();
    VisitorMetadata {
        browser: nav.user_agent().ok(),
        timezone,
        referrer: (!referrer.is_empty()).then_some(referrer),
        page: window.location().href().ok(),
        language: Some(texts::current().to_string()),
    }
    .clipped()
}

fn storage() -> Option<web_sys::Storage> {
    web_sys::window()?.local_storage().ok().flatten()
}

async fn sleep(ms: i32) {
    let promise = js_sys::Promise::new(&mut |resolve, _| {
        if let Some(w) = web_sys::window() {
            let _ = w.set_timeout_with_callback_and_timeout_and_arguments_0(&resolve, ms);
        }
    });
    let _ = JsFuture::from(promise).await;
}

fn new_client_id() -> String {
    let now = js_sys::Date::now() as u64;
    let random = (js_sys::Math::random() * 1e15) as u64;
    format!("w{now:x}-{random:x}")
}

impl Widget {
    fn toggle_attribute_hidden(&self) {
        if self.panel.has_attribute("hidden") {
            let _ = self.panel.remove_attribute("hidden");
            let _ = self.launcher.class_list().remove_1("unread");
            self.unread.set(0);
            mark_seen(self.newest.get());
            let _ = self.input.focus();
        } else {
            let _ = self.panel.set_attribute("hidden", "");
        }
    }

    fn api(&self) -> Option<Rc<Api>> {
        self.api.borrow().clone()
    }

    /// Restores the visitor (or starts one), shows the latest conversation, follows the stream.
    async fn start(self: Rc<Self>) {
        let mut delay = 500;
        loop {
            let token = storage().and_then(|s| s.get_item(TOKEN_KEY).ok().flatten());
            match api::session(&self.base, token, metadata()).await {
                Ok(session) => {
                    if let Some(s) = storage() {
                        let _ = s.set_item(TOKEN_KEY, &session.token);
                    }
                    *self.api.borrow_mut() = Some(Rc::new(Api {
                        base: self.base.clone(),
                        token: session.token,
                    }));
                    break;
                }
                Err(_) => {
                    sleep(delay).await;
                    delay = (delay * 2).min(30_000);
                }
            }
        }
        let Some(api) = self.api() else { return };
        let view = loop {
            match api.conversation().await {
                Ok(v) => break v,
                Err(_) => {
                    sleep(delay).await;
                    delay = (delay * 2).min(30_000);
                }
            }
        };
        self.online.set(view.operators_online);
        self.email_on_file.set(view.email_on_file);
        if view.booking {
            let _ = self.book.remove_attribute("hidden");
        }
        if view.conversation.is_none() && !view.prechat.is_empty() {
            self.ask(Text::WhoAreYou, &view.prechat, Text::StartChat);
        }
        if !view.operators_online {
            self.hint(t(Text::Away));
        }
        if let Some(conversation) = view.conversation {
            self.rated.set(conversation.rated);
            {
                let mut t = self.thread.borrow_mut();
                t.conversation_id = Some(conversation.id);
                t.status = Some(conversation.status);
            }
            for m in conversation.messages {
                let change = self.thread.borrow_mut().message(m);
                self.apply(change);
            }
            self.show_status(conversation.status);
        } else {
            // No conversation yet: the header still says whether a person can answer now.
            self.show_status(ConversationStatus::Open);
        }
        self.follow(&api.stream_url(view.cursor));
    }

    /// The stream: the browser reconnects by itself and sends Last-Event-ID, so nothing is
    /// missed; the thread drops what it already shows.
    fn follow(self: &Rc<Self>, url: &str) {
        let Ok(source) = web_sys::EventSource::new(url) else {
            return;
        };
        let w = self.clone();
        let on_message =
            Closure::<dyn FnMut(web_sys::MessageEvent)>::new(move |e: web_sys::MessageEvent| {
                let Some(data) = e.data().as_string() else {
                    return;
                };
                if let Some(event) = crate::json::event(&data) {
                    let change = w.thread.borrow_mut().event(event);
                    w.apply(change);
                }
            });
        source.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
        on_message.forget();
        let w = self.clone();
        let on_delta =
            Closure::<dyn FnMut(web_sys::MessageEvent)>::new(move |e: web_sys::MessageEvent| {
                if let Some((conversation_id, text)) =
                    e.data().as_string().and_then(|d| crate::json::delta(&d))
                    && w.thread.borrow().conversation_id == Some(conversation_id)
                {
                    w.stream_piece(&text);
                }
            });
        let _ =
            source.add_event_listener_with_callback("ai_delta", on_delta.as_ref().unchecked_ref());
        on_delta.forget();
        // An operator, or the AI, is typing (live only, named, no id).
        let w = self.clone();
        let on_typing =
            Closure::<dyn FnMut(web_sys::MessageEvent)>::new(move |e: web_sys::MessageEvent| {
                let ai = e
                    .data()
                    .as_string()
                    .and_then(|d| crate::json::parse(&d))
                    .and_then(|v| crate::json::string(&v, "sender"))
                    .is_some_and(|s| s == "ai");
                w.show_typing(ai);
            });
        let _ =
            source.add_event_listener_with_callback("typing", on_typing.as_ref().unchecked_ref());
        on_typing.forget();
        // The server could not replay what this stream missed (it is older than retention).
        let w = self.clone();
        let on_refetch = Closure::<dyn FnMut(web_sys::MessageEvent)>::new(move |_| {
            let w = w.clone();
            spawn_local(async move { w.catch_up().await });
        });
        let _ =
            source.add_event_listener_with_callback("refetch", on_refetch.as_ref().unchecked_ref());
        on_refetch.forget();
        std::mem::forget(source);
    }

    /// Reads the conversation again and shows what the stream missed.
    async fn catch_up(self: Rc<Self>) {
        let Some(api) = self.api() else { return };
        let Ok(view) = api.conversation().await else {
            return;
        };
        if let Some(c) = view.conversation {
            let changes = self
                .thread
                .borrow_mut()
                .catch_up(c.id, c.status, c.messages);
            for change in changes {
                self.apply(change);
            }
        }
    }

    /// Appends a streamed piece to the AI's draft bubble, creating it on the first piece.
    fn stream_piece(&self, text: &str) {
        let _ = self.typing.set_attribute("hidden", "");
        let mut draft = self.draft.borrow_mut();
        let bubble = draft.get_or_insert_with(|| {
            let b = el(&self.doc, "div", "msg ai streaming");
            let who = el(&self.doc, "span", "who");
            who.set_text_content(Some(t(Text::AiAssistant)));
            let _ = b.append_child(&who);
            let _ = b.append_child(&el(&self.doc, "span", "body"));
            let _ = self.messages.append_child(&b);
            b
        });
        if let Ok(Some(body)) = bubble.query_selector(".body") {
            let so_far = body.text_content().unwrap_or_default();
            body.set_text_content(Some(&format!("{so_far}{text}")));
        }
        self.messages.set_scroll_top(self.messages.scroll_height());
    }

    /// The stored answer (or a handover) replaces the draft.
    fn drop_draft(&self) {
        if let Some(b) = self.draft.borrow_mut().take() {
            b.remove();
        }
    }

    fn apply(&self, change: Change) {
        if matches!(&change, Change::Show(m) if m.sender != Sender::Customer)
            || matches!(change, Change::Status(_) | Change::Clear)
        {
            self.drop_draft();
        }
        match change {
            Change::Show(m) => {
                if m.sender != Sender::Customer {
                    let _ = self.typing.set_attribute("hidden", "");
                }
                self.show(&m, None);
                self.newest.set(self.newest.get().max(m.id));
                if self.panel.has_attribute("hidden") {
                    // A reply not seen yet (on this page or an earlier one): counted on the
                    // launcher.
                    if m.sender != Sender::Customer && m.id > seen() {
                        self.unread.set(self.unread.get() + 1);
                        let _ = self
                            .launcher
                            .set_attribute("data-unread", &self.unread.get().to_string());
                        let _ = self.launcher.class_list().add_1("unread");
                    }
                } else {
                    mark_seen(m.id);
                }
            }
            Change::Delivered { client_msg_id, .. } => {
                if let Some(b) = self.bubble(&client_msg_id) {
                    let _ = b.class_list().remove_1("pending");
                }
            }
            Change::Status(s) => self.show_status(s),
            Change::Clear => self.messages.set_inner_html(""),
            Change::Nothing => {}
        }
    }

    fn bubble(&self, client_msg_id: &str) -> Option<Element> {
        // Client ids hold only [A-Za-z0-9_-] (the protocol checks), so this selector is safe.
        self.messages
            .query_selector(&format!("[data-client=\"{client_msg_id}\"]"))
            .ok()
            .flatten()
    }

    fn hint(&self, text: &str) {
        let p = el(&self.doc, "div", "msg hint");
        p.set_text_content(Some(text));
        let _ = self.messages.append_child(&p);
    }

    /// An image (thumbnail linking to the original), a voice player, or a download link.
    fn attachment(&self, api: &Api, kind: MessageKind, a: &Attachment) -> Element {
        let original = api.attachment_url(a.id, false);
        match kind {
            MessageKind::Image => {
                let link = el(&self.doc, "a", "image");
                let _ = link.set_attribute("href", &original);
                let _ = link.set_attribute("target", "_blank");
                let _ = link.set_attribute("rel", "noopener");
                let img = el(&self.doc, "img", "");
                let _ = img.set_attribute("src", &api.attachment_url(a.id, a.thumbnail));
                let _ = img.set_attribute("alt", &a.name);
                let _ = link.append_child(&img);
                link
            }
            MessageKind::Voice => {
                let audio = el(&self.doc, "audio", "voice");
                let _ = audio.set_attribute("controls", "");
                let _ = audio.set_attribute("preload", "metadata");
                let _ = audio.set_attribute("src", &original);
                audio
            }
            _ => {
                let link = el(&self.doc, "a", "file");
                let _ = link.set_attribute("href", &original);
                let _ = link.set_attribute("download", &a.name);
                link.set_text_content(Some(&format!("📄 {}", a.name)));
                link
            }
        }
    }

    /// Appends a message bubble. Every text goes in as text, never as HTML.
    fn show(&self, m: &Message, pending_client_id: Option<&str>) -> Element {
        let bubble = self.render(m);
        if let Some(id) = pending_client_id {
            let _ = bubble.set_attribute("data-client", id);
            let _ = bubble.class_list().add_1("pending");
        } else if let Some(id) = &m.client_msg_id {
            let _ = bubble.set_attribute("data-client", id);
        }
        let _ = self.messages.append_child(&bubble);
        self.messages.set_scroll_top(self.messages.scroll_height());
        bubble
    }

    /// A message's bubble, not yet in any thread.
    fn render(&self, m: &Message) -> Element {
        let bubble = el(&self.doc, "div", &format!("msg {}", m.sender.as_str()));
        let label = match m.sender {
            Sender::Customer => t(Text::You),
            Sender::Ai => t(Text::AiAssistant),
            Sender::Agent => t(Text::SupportAgent),
            Sender::System => "",
        };
        if !label.is_empty() && m.sender != Sender::Customer {
            let who = el(&self.doc, "span", "who");
            who.set_text_content(Some(label));
            let _ = bubble.append_child(&who);
        }
        if let (Some(a), Some(api)) = (&m.attachment, self.api()) {
            let _ = bubble.append_child(&self.attachment(&api, m.kind, a));
        }
        if !m.body.is_empty() || m.attachment.is_none() {
            let body = el(&self.doc, "span", "body");
            body.set_text_content(Some(&m.body));
            let _ = bubble.append_child(&body);
        }
        if let Some(card) = &m.booking {
            let _ = bubble.append_child(&self.booking_card(card));
        }
        if !m.citations.is_empty() {
            let sources = el(&self.doc, "div", "sources");
            sources.set_text_content(Some(t(Text::Source)));
            for (i, c) in m.citations.iter().enumerate() {
                if i > 0 {
                    let _ = sources.append_with_str_1(", ");
                }
                let link = match &c.url {
                    Some(url) if url.starts_with("http") || url.starts_with('/') => {
                        let a = el(&self.doc, "a", "");
                        let href = if url.starts_with('/') {
                            format!("{}{url}", self.base)
                        } else {
                            url.clone()
                        };
                        let _ = a.set_attribute("href", &href);
                        let _ = a.set_attribute("target", "_blank");
                        let _ = a.set_attribute("rel", "noopener");
                        a
                    }
                    _ => el(&self.doc, "span", "source"),
                };
                link.set_text_content(Some(&c.title));
                let _ = sources.append_child(&link);
            }
            let _ = bubble.append_child(&sources);
        }
        bubble
    }

    fn show_status(&self, status: ConversationStatus) {
        let closed = status.is_closed();
        if closed {
            let _ = self.resolved.remove_attribute("hidden");
        } else {
            let _ = self.resolved.set_attribute("hidden", "");
        }
        self.input.set_disabled(closed);
        if closed && !self.rated.get() {
            self.ask_rating();
        } else if !closed {
            let _ = self.rating.set_attribute("hidden", "");
        }
        // Once a human is requested, the button says so instead of asking again; with nobody
        // online it offers to leave a message.
        let waiting = status == ConversationStatus::NeedsAgent;
        let label = match (waiting, self.online.get()) {
            (true, true) => t(Text::HumanOnTheWay),
            (true, false) => t(Text::MessageLeft),
            (false, true) => t(Text::TalkToHuman),
            (false, false) => t(Text::LeaveMessage),
        };
        for b in [&self.human, &self.menu_human] {
            b.set_text_content(Some(label));
            let _ = if waiting {
                b.set_attribute("disabled", "")
            } else {
                b.remove_attribute("disabled")
            };
        }
        // The banner takes room from the thread: keep its last message in view.
        self.messages.set_scroll_top(self.messages.scroll_height());
    }

    fn restart(&self) {
        self.rated.set(false);
        self.thread.borrow_mut().reset();
        self.messages.set_inner_html("");
        self.hint(t(Text::NewConversation));
        self.show_status(ConversationStatus::Open);
        let _ = self.input.focus();
    }

    /// Sends with a client id and retries with the same id until the server has it: a retry
    /// never duplicates, and nothing the visitor typed is dropped.
    async fn send(self: Rc<Self>, body: String) {
        let client_id = new_client_id();
        self.thread.borrow_mut().add_pending(&client_id);
        let draft = Message {
            id: 0,
            conversation_id: 0,
            sender: Sender::Customer,
            body: body.clone(),
            kind: Default::default(),
            attachment: None,
            booking: None,
            internal: false,
            client_msg_id: None,
            citations: Vec::new(),
            created_at: 0,
            delivery: None,
            delivery_error: None,
        };
        let bubble = self.show(&draft, Some(&client_id));
        self.deliver(bubble, client_id, body).await;
    }

    async fn deliver(self: Rc<Self>, bubble: Element, client_id: String, body: String) {
        let mut delay = 400;
        let mut attempts = 0;
        while attempts < 6 {
            attempts += 1;
            let Some(api) = self.api() else {
                sleep(delay).await;
                delay *= 2;
                continue;
            };
            match api.send(&client_id, &body).await {
                Ok(sent) => {
                    let change = self.thread.borrow_mut().message(sent);
                    self.apply(change);
                    if let Some(b) = self.bubble(&client_id) {
                        let _ = b.class_list().remove_1("pending");
                    }
                    return;
                }
                Err(ApiError::Refused(reason)) => {
                    self.failed(&bubble, &reason, client_id, body);
                    return;
                }
                // Too fast: the message waits in the thread (pending) and goes when allowed;
                // the wait does not use up an attempt.
                Err(ApiError::Busy(_, wait_ms)) => {
                    self.hint(t(Text::TooFast));
                    attempts -= 1;
                    sleep(wait_ms).await;
                }
                Err(ApiError::Unauthorized | ApiError::Unavailable) => {
                    sleep(delay).await;
                    delay *= 2;
                }
            }
        }
        self.failed(&bubble, t(Text::NotSentRetry), client_id, body);
    }

    fn failed(self: &Rc<Self>, bubble: &Element, reason: &str, client_id: String, body: String) {
        let _ = bubble.class_list().remove_1("pending");
        let _ = bubble.class_list().add_1("failed");
        let _ = bubble.set_attribute("title", reason);
        let w = self.clone();
        let b = bubble.clone();
        let retry = RefCell::new(Some((client_id, body)));
        on(bubble, "click", move |_| {
            if let Some((id, body)) = retry.borrow_mut().take() {
                let _ = b.class_list().remove_1("failed");
                let _ = b.class_list().add_1("pending");
                let w = w.clone();
                let b = b.clone();
                spawn_local(async move { w.deliver(b, id, body).await });
            }
        });
    }

    /// A file from the paperclip: shown as pending, sent once (the client id makes a retry
    /// safe), and marked with the server's reason if it is refused.
    async fn send_file(self: Rc<Self>, file: web_sys::File) {
        let client_id = new_client_id();
        self.thread.borrow_mut().add_pending(&client_id);
        let bubble = el(&self.doc, "div", "msg customer pending");
        let _ = bubble.set_attribute("data-client", &client_id);
        let body = el(&self.doc, "span", "body");
        body.set_text_content(Some(&format!("📎 {}", file.name())));
        let _ = bubble.append_child(&body);
        let _ = self.messages.append_child(&bubble);
        self.messages.set_scroll_top(self.messages.scroll_height());
        let Some(api) = self.api() else { return };
        let mut delay = 400;
        for _ in 0..4 {
            match api.upload(&client_id, &file).await {
                Ok(sent) => {
                    // Known to the thread now (the stream's copy is dropped); the placeholder
                    // becomes the message as everyone sees it.
                    let _ = self.thread.borrow_mut().message(sent.clone());
                    let shown = self.show(&sent, None);
                    let _ = bubble.replace_with_with_node_1(&shown);
                    return;
                }
                Err(ApiError::Refused(reason) | ApiError::Busy(reason, _)) => {
                    let _ = bubble.class_list().remove_1("pending");
                    let _ = bubble.class_list().add_1("failed");
                    body.set_text_content(Some(&format!("📎 {} — {reason}", file.name())));
                    return;
                }
                Err(_) => {
                    sleep(delay).await;
                    delay *= 2;
                }
            }
        }
        let _ = bubble.class_list().remove_1("pending");
        let _ = bubble.class_list().add_1("failed");
        body.set_text_content(Some(&format!(
            "📎 {} — {}",
            file.name(),
            t(Text::FileNotSent)
        )));
    }

    /// The visitor typed: operators are told, at most every 3 seconds.
    fn typed(self: Rc<Self>) {
        let now = js_sys::Date::now();
        if now - self.typing_sent_at.get() < 3000.0
            || self.thread.borrow().conversation_id.is_none()
        {
            return;
        }
        self.typing_sent_at.set(now);
        if let Some(api) = self.api() {
            spawn_local(async move { api.typing().await });
        }
    }

    /// "Support Agent is typing…" for five seconds after the last signal; "AI Assistant is
    /// typing…" until its answer comes.
    fn show_typing(self: &Rc<Self>, ai: bool) {
        // Until the answer arrives (or its first words stream in); at most the model's time.
        let (text, ms) = if ai {
            (Text::AiTyping, 30_000)
        } else {
            (Text::Typing, 5000)
        };
        self.typing.set_text_content(Some(t(text)));
        let _ = self.typing.remove_attribute("hidden");
        let at = js_sys::Date::now();
        self.typing_shown_at.set(at);
        let w = self.clone();
        spawn_local(async move {
            sleep(ms).await;
            if w.typing_shown_at.get() == at {
                let _ = w.typing.set_attribute("hidden", "");
            }
        });
    }

    /// The rating prompt: 1–5 stars, the feedback categories Settings offer, a comment.
    fn ask_rating(&self) {
        let _ = self.rating.remove_attribute("hidden");
        self.rating.set_inner_html("");
        let title = el(&self.doc, "p", "");
        title.set_text_content(Some(t(Text::HowDidWeDo)));
        let stars = el(&self.doc, "div", "stars");
        let chosen = Rc::new(Cell::new(0u8));
        let star_buttons: Vec<Element> = (1..=5u8)
            .map(|n| {
                let b = button(&self.doc, "star", "☆");
                let _ = b.set_attribute("aria-label", &format!("{n}/5 {}", t(Text::Stars)));
                let _ = stars.append_child(&b);
                b
            })
            .collect();
        for (i, b) in star_buttons.iter().enumerate() {
            let all = star_buttons.clone();
            let chosen = chosen.clone();
            on(b, "click", move |_| {
                chosen.set(i as u8 + 1);
                for (j, s) in all.iter().enumerate() {
                    s.set_text_content(Some(if j <= i { "★" } else { "☆" }));
                }
            });
        }
        let chips = el(&self.doc, "div", "chips");
        let picked: Rc<RefCell<Vec<String>>> = Rc::default();
        let comment: HtmlInputElement = el(&self.doc, "input", "comment").unchecked_into();
        comment.set_placeholder(t(Text::AnythingToAdd));
        let _ = comment.set_attribute("aria-label", "Comment");
        let _ = comment.set_attribute("maxlength", "1000");
        let submit = button(&self.doc, "rate", t(Text::SendRating));
        let error = el(&self.doc, "p", "error");
        for child in [&title, &stars, &chips, comment.as_ref(), &submit, &error] {
            let _ = self.rating.append_child(child);
        }
        // The categories come from Settings.
        if let Some(api) = self.api() {
            let (doc, chips, picked) = (self.doc.clone(), chips.clone(), picked.clone());
            spawn_local(async move {
                for c in api.rating_categories().await.unwrap_or_default() {
                    let chip = button(&doc, "chip", &c);
                    let _ = chip.set_attribute("aria-pressed", "false");
                    let (picked, me) = (picked.clone(), chip.clone());
                    on(&chip, "click", move |_| {
                        let mut p = picked.borrow_mut();
                        let on = if let Some(i) = p.iter().position(|x| *x == c) {
                            p.remove(i);
                            false
                        } else {
                            p.push(c.clone());
                            true
                        };
                        let _ = me.set_attribute("aria-pressed", if on { "true" } else { "false" });
                    });
                    let _ = chips.append_child(&chip);
                }
            });
        }
        let Some(api) = self.api() else { return };
        let (doc, rating, rated) = (self.doc.clone(), self.rating.clone(), self.rated.clone());
        let thanks = move || {
            rated.set(true);
            rating.set_inner_html("");
            let p = el(&doc, "p", "thanks");
            p.set_text_content(Some(t(Text::ThanksFeedback)));
            let _ = rating.append_child(&p);
        };
        on(&submit, "click", move |_| {
            let stars = chosen.get();
            if stars == 0 {
                error.set_text_content(Some(t(Text::ChooseStars)));
                return;
            }
            let (api, picked, comment, error, thanks) = (
                api.clone(),
                picked.borrow().clone(),
                comment.value(),
                error.clone(),
                thanks.clone(),
            );
            spawn_local(async move {
                match api.rate(stars, &picked, &comment).await {
                    Ok(()) => thanks(),
                    Err(ApiError::Refused(reason)) if reason.contains("already") => thanks(),
                    Err(ApiError::Refused(reason) | ApiError::Busy(reason, _)) => {
                        error.set_text_content(Some(&reason))
                    }
                    Err(_) => error.set_text_content(Some(t(Text::NotSentTryAgain))),
                }
            });
        });
    }

    /// The pre-chat form in place of the message box: a labelled input per field Settings asks.
    /// The form under the thread (in place of the message box): the pre-chat form, or the
    /// address to leave a message with.
    fn ask(&self, intro: Text, fields: &[(String, bool)], submit: Text) {
        self.prechat.set_inner_html("");
        let p = el(&self.doc, "p", "");
        p.set_text_content(Some(t(intro)));
        let _ = self.prechat.append_child(&p);
        for (field, required) in fields {
            let (label, kind) = match field.as_str() {
                "name" => (t(Text::Name), "text"),
                "email" => (t(Text::Email), "email"),
                "phone" => (t(Text::Phone), "tel"),
                _ => continue,
            };
            let wrap = el(&self.doc, "label", "");
            let text = if *required {
                label.to_string()
            } else {
                [label, t(Text::Optional)].join(" ")
            };
            wrap.set_text_content(Some(&text));
            let input: HtmlInputElement = el(&self.doc, "input", "").unchecked_into();
            input.set_type(kind);
            input.set_name(field);
            input.set_required(*required);
            let _ = wrap.append_child(&input);
            let _ = self.prechat.append_child(&wrap);
        }
        let error = el(&self.doc, "p", "error");
        let _ = error.set_attribute("role", "alert");
        let _ = self.prechat.append_child(&error);
        let start = el(&self.doc, "button", "");
        start.set_text_content(Some(t(submit)));
        let _ = start.set_attribute("type", "submit");
        let _ = self.prechat.append_child(&start);
        let _ = self.prechat.remove_attribute("hidden");
        let _ = self.compose.set_attribute("hidden", "");
        if let Ok(Some(first)) = self.prechat.query_selector("input") {
            let _ = first.unchecked_into::<HtmlInputElement>().focus();
        }
    }

    /// The form's input named `name`, when it shows one.
    fn answer(&self, name: &str) -> Option<String> {
        self.prechat
            .query_selector(&["input[name=", name, "]"].concat())
            .ok()
            .flatten()
            .map(|i| i.unchecked_into::<HtmlInputElement>().value())
    }

    /// Back to the message box once the form is answered.
    fn answered(&self) {
        self.leaving.set(false);
        let _ = self.prechat.set_attribute("hidden", "");
        let _ = self.compose.remove_attribute("hidden");
        let _ = self.input.focus();
    }

    /// Shows why the form was refused, beside it; what the visitor typed stays.
    fn refused(&self, e: ApiError) {
        let reason = match e {
            ApiError::Refused(reason) | ApiError::Busy(reason, _) => reason,
            _ => t(Text::Unreachable).into(),
        };
        if let Ok(Some(p)) = self.prechat.query_selector("p.error") {
            p.set_text_content(Some(&reason));
        }
    }

    async fn send_prechat(self: Rc<Self>) {
        let (name, email, phone) = (
            self.answer("name"),
            self.answer("email"),
            self.answer("phone"),
        );
        let Some(api) = self.api() else { return };
        let answers = [
            ("name", name.as_deref()),
            ("email", email.as_deref()),
            ("phone", phone.as_deref()),
        ];
        match api.prechat(&answers).await {
            Ok(()) => {
                self.email_on_file
                    .set(self.email_on_file.get() || email.is_some_and(|e| !e.trim().is_empty()));
                self.answered();
                self.hint(t(Text::ThanksHowHelp));
            }
            Err(e) => self.refused(e),
        }
    }

    /// The slots as buttons in a grid, in the visitor's own time; a booked slot as a line. Once
    /// a meeting is booked, older cards' buttons are disabled.
    fn booking_card(&self, card: &BookingCard) -> Element {
        let grid = el(&self.doc, "div", "slots");
        if let Some(slot) = card.booked {
            self.slot_buttons(false);
            grid.set_text_content(Some(&format!("✓ {}", local_time(slot.start))));
            let _ = grid.class_list().add_1("booked");
            return grid;
        }
        for slot in &card.slots {
            let b = button(&self.doc, "slot", &local_time(slot.start));
            let _ = b.set_attribute("data-slot", &slot.start.to_string());
            let _ = grid.append_child(&b);
        }
        grid
    }

    /// Enables or disables every slot button in the thread.
    fn slot_buttons(&self, enabled: bool) {
        let Ok(buttons) = self.messages.query_selector_all("button.slot") else {
            return;
        };
        for i in 0..buttons.length() {
            if let Some(b) = buttons.get(i).and_then(|n| n.dyn_into::<Element>().ok()) {
                let _ = if enabled {
                    b.remove_attribute("disabled")
                } else {
                    b.set_attribute("disabled", "")
                };
            }
        }
    }

    async fn offer_slots(self: Rc<Self>) {
        if self.thread.borrow().closed() {
            self.restart();
        }
        let Some(api) = self.api() else { return };
        match api.offer_slots().await {
            Ok(m) => {
                let change = self.thread.borrow_mut().message(m);
                self.apply(change);
            }
            Err(ApiError::Refused(reason) | ApiError::Busy(reason, _)) => self.hint(&reason),
            Err(_) => self.hint(t(Text::Unreachable)),
        }
    }

    async fn book_slot(self: Rc<Self>, start: i64) {
        let Some(api) = self.api() else { return };
        self.slot_buttons(false);
        match api.book(start).await {
            Ok(m) => {
                let change = self.thread.borrow_mut().message(m);
                self.apply(change);
            }
            Err(e) => {
                self.slot_buttons(true);
                self.hint(&match e {
                    ApiError::Refused(reason) | ApiError::Busy(reason, _) => reason,
                    _ => t(Text::Unreachable).into(),
                });
            }
        }
    }

    async fn escalate(self: Rc<Self>) {
        if self.thread.borrow().closed() {
            self.restart();
        }
        if !self.online.get() && !self.email_on_file.get() {
            // No one can answer now: the team replies later, by email.
            self.leaving.set(true);
            self.ask(
                Text::LeaveEmail,
                &[("email".into(), true)],
                Text::LeaveMessage,
            );
            return;
        }
        let Some(api) = self.api() else { return };
        match api.escalate(None).await {
            Ok(_) => {}
            Err(ApiError::Refused(reason) | ApiError::Busy(reason, _)) => self.hint(&reason),
            Err(_) => self.hint(t(Text::Unreachable)),
        }
    }

    /// "Leave a message" with the address given in the form.
    async fn leave_message(self: Rc<Self>) {
        let Some(api) = self.api() else { return };
        match api.escalate(self.answer("email").as_deref()).await {
            Ok(_) => {
                // The server's message says the team will reply by email.
                self.email_on_file.set(true);
                self.answered();
            }
            Err(e) => self.refused(e),
        }
    }
}
