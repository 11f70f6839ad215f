//! The DOM and the wiring: builds the widget, restores the visitor, follows the stream.

use crate::api::{self, Api, ApiError};
use crate::digits::{decimal, hex};
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
        let _ = s.set_item(SEEN_KEY, &decimal(id));
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
    rated: Cell<bool>,
    /// The stars chosen in the rating prompt (0 for none yet).
    stars: Cell<u8>,
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

fn button(doc: &Document, class: &str, text: &str) -> Element {
    let b = el(doc, "button", class);
    b.set_text_content(Some(text));
    let _ = b.set_attribute("type", "button");
    b
}

/// The panel's markup. No text in it: `WORDS` puts each in, in the widget's language, as text
/// (never parsed as HTML). Building it from markup, with one listener for every control
/// (`Widget::handle`), keeps the wasm small: each element built by calls and each closure
/// costs code.
const PANEL: &str = concat!(
    "<section class=panel hidden><header>",
    "<button type=button class=menu-button aria-expanded=false>☰</button>",
    "<span class=title></span><button type=button class=book hidden></button>",
    "<button type=button class=human></button><button type=button class=close>×</button>",
    "</header><div class=menu hidden role=menu>",
    "<button type=button role=menuitem class=new-chat></button>",
    "<button type=button role=menuitem class=past-item></button>",
    "<button type=button role=menuitem class=menu-human></button></div>",
    "<div class=live><div class=messages role=log></div>",
    "<div class=typing hidden role=status></div>",
    "<div class=resolved hidden><p></p><div class=rating hidden></div>",
    "<button type=button class=restart></button></div>",
    "<form class=prechat hidden></form>",
    "<form class=compose><label class=attach>📎<input type=file hidden ",
    "accept=\"image/*,.pdf,.doc,.docx,.xls,.xlsx,.ppt,.pptx,.odt,.ods,.odp,.rtf\"></label>",
    "<input class=message><button type=submit></button></form></div>",
    "<div class=past hidden></div></section>",
);

/// Where each text of the panel goes: the element, the attribute ("" for its text), the text.
const WORDS: [(&str, &str, Text); 17] = [
    (".panel", "aria-label", Text::Chat),
    (".menu-button", "aria-label", Text::Menu),
    (".title", "", Text::Title),
    (".book", "", Text::BookMeeting),
    (".human", "", Text::TalkToHuman),
    (".close", "aria-label", Text::CloseChat),
    (".new-chat", "", Text::NewChat),
    (".past-item", "", Text::Past),
    (".menu-human", "", Text::TalkToHuman),
    (".typing", "", Text::Typing),
    (".resolved p", "", Text::Resolved),
    (".restart", "", Text::StartNew),
    (".attach", "title", Text::SendFile),
    (".attach", "aria-label", Text::SendFile),
    (".message", "placeholder", Text::Placeholder),
    (".message", "aria-label", Text::Message),
    (".compose button", "", Text::Send),
];

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
    let _ = shadow.append_child(&style);
    let holder = el(&doc, "div", "");
    holder.set_inner_html(PANEL);
    let find = |selector: &str| {
        holder
            .query_selector(selector)
            .ok()
            .flatten()
            .expect(selector)
    };
    for (selector, attribute, text) in WORDS {
        let e = find(selector);
        if attribute.is_empty() {
            e.set_text_content(Some(t(text)));
        } else {
            let _ = e.set_attribute(attribute, t(text));
        }
    }
    if let Some(title) = look_text("title") {
        find(".title").set_text_content(Some(&title));
    }
    let panel = find(".panel");
    let w = Rc::new(Widget {
        launcher,
        human: find(".human"),
        book: find(".book"),
        compose: find(".compose"),
        prechat: find(".prechat"),
        messages: find(".messages"),
        resolved: find(".resolved"),
        input: find(".message").unchecked_into(),
        live: find(".live"),
        past: find(".past"),
        menu: find(".menu"),
        menu_button: find(".menu-button"),
        new_chat: find(".new-chat"),
        menu_human: find(".menu-human"),
        typing: find(".typing"),
        rating: find(".rating"),
        panel: panel.clone(),
        doc,
        unread: Cell::new(0),
        newest: Cell::new(0),
        base,
        api: RefCell::new(None),
        thread: RefCell::new(Thread::default()),
        draft: RefCell::new(None),
        typing_shown_at: Cell::new(0.0),
        typing_sent_at: Cell::new(0.0),
        rated: Cell::new(false),
        stars: Cell::new(0),
        online: Cell::new(true),
        email_on_file: Cell::new(false),
        leaving: Cell::new(false),
    });
    let _ = shadow.append_child(&panel);
    w.hint(&look_text("greeting").unwrap_or_else(|| t(Text::Welcome).into()));
    // One listener for every control of the widget (see `handle`).
    let wh = w.clone();
    let handler = Closure::<dyn FnMut(web_sys::Event)>::new(move |e| wh.handle(e));
    for event in ["click", "submit", "change", "input"] {
        let _ = shadow.add_event_listener_with_callback(event, handler.as_ref().unchecked_ref());
    }
    // The widget lives as long as the page.
    handler.forget();
    if open {
        w.toggle_attribute_hidden();
    }
    spawn_local(async move { w.start().await });
}

/// The element an event happened on, or its nearest ancestor that matches `selector`.
fn closest(e: &web_sys::Event, selector: &str) -> Option<Element> {
    e.target()?
        .dyn_into::<Element>()
        .ok()?
        .closest(selector)
        .ok()
        .flatten()
}

/// A number in one of an element's `data-` attributes.
fn number(e: &Element, attribute: &str) -> Option<i64> {
    e.get_attribute(attribute)?.parse().ok()
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
    ["w", &hex(now), "-", &hex(random)].concat()
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
    /// missed; the thread drops what it already shows. One listener for its four kinds of event.
    fn follow(self: &Rc<Self>, url: &str) {
        let Ok(source) = web_sys::EventSource::new(url) else {
            return;
        };
        let w = self.clone();
        let on_event =
            Closure::<dyn FnMut(web_sys::MessageEvent)>::new(move |e: web_sys::MessageEvent| {
                let data = e.data().as_string().unwrap_or_default();
                match e.type_().as_str() {
                    "message" => {
                        if let Some(event) = crate::json::event(&data) {
                            let change = w.thread.borrow_mut().event(event);
                            w.apply(change);
                        }
                    }
                    "ai_delta" => {
                        if let Some((conversation_id, text)) = crate::json::delta(&data)
                            && w.thread.borrow().conversation_id == Some(conversation_id)
                        {
                            w.stream_piece(&text);
                        }
                    }
                    // An operator, or the AI, is typing (live only, named, no id).
                    "typing" => w.show_typing(
                        crate::json::parse(&data)
                            .and_then(|v| crate::json::string(&v, "sender"))
                            .is_some_and(|s| s == "ai"),
                    ),
                    // The server could not replay what this stream missed (it is older than
                    // retention).
                    _ => {
                        let w = w.clone();
                        spawn_local(async move { w.catch_up().await });
                    }
                }
            });
        for kind in ["message", "ai_delta", "typing", "refetch"] {
            let _ =
                source.add_event_listener_with_callback(kind, on_event.as_ref().unchecked_ref());
        }
        on_event.forget();
        std::mem::forget(source);
    }

    /// Every control's click, both forms' submits, the paperclip's file and the message box's
    /// typing: one listener on the shadow root, which looks at what the event happened on.
    fn handle(self: &Rc<Self>, e: web_sys::Event) {
        let w = self.clone();
        match e.type_().as_str() {
            "submit" => {
                e.prevent_default();
                if closest(&e, ".prechat").is_some() {
                    spawn_local(async move {
                        if w.leaving.get() {
                            w.leave_message().await
                        } else {
                            w.send_prechat().await
                        }
                    });
                    return;
                }
                let body = self.input.value();
                if body.trim().is_empty() || self.thread.borrow().closed() {
                    return;
                }
                self.input.set_value("");
                spawn_local(async move { w.send(body).await });
            }
            "change" => {
                let Some(picker) = closest(&e, "input[type=file]") else {
                    return;
                };
                let picker: HtmlInputElement = picker.unchecked_into();
                let Some(f) = picker.files().and_then(|list| list.get(0)) else {
                    return;
                };
                picker.set_value("");
                if self.thread.borrow().closed() {
                    self.restart();
                }
                spawn_local(async move { w.send_file(f).await });
            }
            "input" => {
                if closest(&e, ".message").is_some() {
                    w.typed();
                }
            }
            _ => self.clicked(&e),
        }
    }

    fn clicked(self: &Rc<Self>, e: &web_sys::Event) {
        let w = self.clone();
        let Some(b) = closest(e, "button") else {
            // A message that could not be sent: a click sends it again.
            if let Some(bubble) = closest(e, "[data-retry]") {
                let _ = bubble.remove_attribute("data-retry");
                let _ = bubble.class_list().remove_1("failed");
                let _ = bubble.class_list().add_1("pending");
                let (id, body) = (
                    bubble.get_attribute("data-client").unwrap_or_default(),
                    bubble.text_content().unwrap_or_default(),
                );
                spawn_local(async move { w.deliver(bubble, id, body).await });
            }
            return;
        };
        let class = b.class_name();
        match class.split(' ').next().unwrap_or_default() {
            "launcher" => self.toggle_attribute_hidden(),
            "close" => {
                let _ = self.panel.set_attribute("hidden", "");
            }
            "human" => w.escalate_soon(),
            "book" => spawn_local(async move { w.offer_slots().await }),
            // A slot in a booking card.
            "slot" => {
                if let Some(start) = number(&b, "data-slot") {
                    spawn_local(async move { w.book_slot(start).await });
                }
            }
            "restart" => self.restart(),
            "star" => self.choose_stars(number(&b, "data-stars").unwrap_or(0) as u8),
            "chip" => {
                let on = b.get_attribute("aria-pressed").as_deref() != Some("true");
                let _ = b.set_attribute("aria-pressed", if on { "true" } else { "false" });
            }
            "rate" => spawn_local(async move { w.rate().await }),
            other => self.menu_clicked(other, &b),
        }
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
            body.set_text_content(Some(&[&so_far, text].concat()));
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
                            .set_attribute("data-unread", &decimal(self.unread.get().into()));
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
            .query_selector(&["[data-client=\"", client_msg_id, "\"]"].concat())
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
                link.set_text_content(Some(&["📄 ", &a.name].concat()));
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
        let bubble = el(&self.doc, "div", &["msg ", m.sender.as_str()].concat());
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
                            [&self.base, url.as_str()].concat()
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
                    self.failed(&bubble, &reason);
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
        self.failed(&bubble, t(Text::NotSentRetry));
    }

    /// Marks a message the server did not take; a click on it sends it again (`clicked`).
    fn failed(&self, bubble: &Element, reason: &str) {
        let _ = bubble.class_list().remove_1("pending");
        let _ = bubble.class_list().add_1("failed");
        let _ = bubble.set_attribute("title", reason);
        let _ = bubble.set_attribute("data-retry", "");
    }

    /// A file from the paperclip: shown as pending, sent once (the client id makes a retry
    /// safe), and marked with the server's reason if it is refused.
    async fn send_file(self: Rc<Self>, file: web_sys::File) {
        let client_id = new_client_id();
        self.thread.borrow_mut().add_pending(&client_id);
        let bubble = el(&self.doc, "div", "msg customer pending");
        let _ = bubble.set_attribute("data-client", &client_id);
        let body = el(&self.doc, "span", "body");
        body.set_text_content(Some(&["📎 ", &file.name()].concat()));
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
                    body.set_text_content(Some(&["📎 ", &file.name(), " — ", &reason].concat()));
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
        body.set_text_content(Some(
            &["📎 ", &file.name(), " — ", t(Text::FileNotSent)].concat(),
        ));
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
        self.stars.set(0);
        let _ = self.rating.remove_attribute("hidden");
        self.rating.set_inner_html(concat!(
            "<p></p><div class=stars>",
            "<button type=button class=star data-stars=1>☆</button>",
            "<button type=button class=star data-stars=2>☆</button>",
            "<button type=button class=star data-stars=3>☆</button>",
            "<button type=button class=star data-stars=4>☆</button>",
            "<button type=button class=star data-stars=5>☆</button>",
            "</div><div class=chips></div>",
            "<input class=comment aria-label=Comment maxlength=1000>",
            "<button type=button class=rate></button><p class=error></p>",
        ));
        let find = |selector| self.rating.query_selector(selector).ok().flatten();
        for (selector, text) in [("p", Text::HowDidWeDo), (".rate", Text::SendRating)] {
            if let Some(e) = find(selector) {
                e.set_text_content(Some(t(text)));
            }
        }
        if let Some(comment) = find(".comment") {
            let _ = comment.set_attribute("placeholder", t(Text::AnythingToAdd));
        }
        for (n, star) in self.star_buttons().iter().enumerate() {
            let label = [&decimal(n as i64 + 1), "/5 ", t(Text::Stars)].concat();
            let _ = star.set_attribute("aria-label", &label);
        }
        // The categories come from Settings.
        let (Some(api), Some(chips)) = (self.api(), find(".chips")) else {
            return;
        };
        let doc = self.doc.clone();
        spawn_local(async move {
            for c in api.rating_categories().await.unwrap_or_default() {
                let chip = button(&doc, "chip", &c);
                let _ = chip.set_attribute("aria-pressed", "false");
                let _ = chips.append_child(&chip);
            }
        });
    }

    fn star_buttons(&self) -> Vec<Element> {
        let Ok(list) = self.rating.query_selector_all(".star") else {
            return Vec::new();
        };
        (0..list.length())
            .filter_map(|i| list.get(i)?.dyn_into().ok())
            .collect()
    }

    fn choose_stars(&self, stars: u8) {
        self.stars.set(stars);
        for (i, s) in self.star_buttons().iter().enumerate() {
            s.set_text_content(Some(if i < stars as usize { "★" } else { "☆" }));
        }
    }

    /// Sends the rating: the stars, the categories pressed, the comment.
    async fn rate(self: Rc<Self>) {
        let find = |selector| self.rating.query_selector(selector).ok().flatten();
        let Some(error) = find(".error") else { return };
        let stars = self.stars.get();
        if stars == 0 {
            error.set_text_content(Some(t(Text::ChooseStars)));
            return;
        }
        let Some(api) = self.api() else { return };
        let mut picked = Vec::new();
        if let Ok(list) = self.rating.query_selector_all(".chip[aria-pressed=true]") {
            for i in 0..list.length() {
                picked.extend(list.get(i).and_then(|c| c.text_content()));
            }
        }
        let comment = find(".comment")
            .map(|c| c.unchecked_into::<HtmlInputElement>().value())
            .unwrap_or_default();
        match api.rate(stars, &picked, &comment).await {
            Ok(()) => self.thanks(),
            Err(ApiError::Refused(reason)) if reason.contains("already") => self.thanks(),
            Err(ApiError::Refused(reason) | ApiError::Busy(reason, _)) => {
                error.set_text_content(Some(&reason))
            }
            Err(_) => error.set_text_content(Some(t(Text::NotSentTryAgain))),
        }
    }

    fn thanks(&self) {
        self.rated.set(true);
        self.rating.set_text_content(None);
        let p = el(&self.doc, "p", "thanks");
        p.set_text_content(Some(t(Text::ThanksFeedback)));
        let _ = self.rating.append_child(&p);
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
            grid.set_text_content(Some(&["✓ ", &local_time(slot.start)].concat()));
            let _ = grid.class_list().add_1("booked");
            return grid;
        }
        for slot in &card.slots {
            let b = button(&self.doc, "slot", &local_time(slot.start));
            let _ = b.set_attribute("data-slot", &decimal(slot.start));
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

    /// "Talk to a human" (header or menu).
    fn escalate_soon(self: Rc<Self>) {
        spawn_local(async move { self.escalate().await });
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
