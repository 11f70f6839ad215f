//! The input bar: text (Enter sends, Shift+Enter a new line), Send, the emoji picker, the
//! paperclip (image, PDF, document) and the microphone (record, a running timer, Stop sends).
//! Files go to the attachment endpoint; the sent message comes back on the live stream like
//! any other. A refused send keeps the text and says why.

use super::api::SendReply;
use crate::app::settings::quick_replies::quick_replies;
use leptos::prelude::*;
use liaison_protocol::quick_reply::{self, QuickReply};

/// Whether the operator looking at the conversation can reply, and if not, why.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ComposerState {
    Active,
    NotHolder,
    Resolved,
    /// WhatsApp's 24-hour window has closed: only the template can go (the bar above).
    WindowClosed,
}

impl ComposerState {
    pub fn of(c: &liaison_protocol::ConversationSummary, me: i64) -> ComposerState {
        if c.status.is_closed() {
            ComposerState::Resolved
        } else if c.assignee_id == Some(me) {
            ComposerState::Active
        } else {
            ComposerState::NotHolder
        }
    }

    fn placeholder(self) -> &'static str {
        match self {
            ComposerState::Active => "Type a reply — Enter sends, Shift+Enter for a new line",
            ComposerState::NotHolder => "Join the session to reply",
            ComposerState::Resolved => "This conversation is resolved",
            ComposerState::WindowClosed => {
                "The 24-hour window has closed: send the approved template above"
            }
        }
    }
}

/// The picker's emojis: the ones support conversations use most.
pub const EMOJIS: &[&str] = &[
    "😀", "😊", "🙂", "😉", "😍", "🤩", "😅", "😂", "🙏", "👍", "👎", "👌", "👏", "🙌", "💪", "🎉",
    "✅", "❌", "⚠️", "❤️", "💙", "⭐", "🔥", "💡", "📦", "🚚", "💳", "🧾", "📅", "⏰", "📞", "✉️",
    "🔒", "🔧", "🤔", "😕", "😢", "😮", "👋", "🚀",
];

/// Accepted by the paperclip (the server checks the bytes, whatever the browser lets through).
const ACCEPT: &str = "image/*,audio/*,.pdf,.doc,.docx,.xls,.xlsx,.ppt,.pptx,.odt,.ods,.odp,.rtf";

#[component]
pub fn Composer(
    id: i64,
    state: Signal<ComposerState>,
    send: ServerAction<SendReply>,
    draft: RwSignal<String>,
) -> impl IntoView {
    let active = move || state.get() == ComposerState::Active;
    let last_sent = StoredValue::new(String::new());
    let typing_sent = StoredValue::new(0i64);
    // A file upload or a recording that failed, and why.
    let problem = RwSignal::new(None::<String>);
    let busy = RwSignal::new(false);
    let emojis_open = RwSignal::new(false);
    // The `/` menu: the list is read the first time it opens.
    let replies = RwSignal::new(None::<Vec<QuickReply>>);
    let highlighted = RwSignal::new(0usize);
    let menu_dismissed = RwSignal::new(false);
    let query = Memo::new(move |_| draft.with(|d| quick_reply::typed_query(d).map(str::to_string)));
    Effect::new(move |_| {
        if query.get().is_some() && replies.get_untracked().is_none() {
            replies.set(Some(Vec::new()));
            leptos::task::spawn_local(async move {
                match quick_replies().await {
                    Ok(list) => replies.set(Some(list)),
                    Err(e) => problem.set(Some(e.to_string())),
                }
            });
        }
    });
    let shown = Memo::new(move |_| {
        let Some(q) = query.get() else {
            return Vec::new();
        };
        if menu_dismissed.get() {
            return Vec::new();
        }
        replies.with(|r| {
            r.as_deref()
                .map(|list| {
                    quick_reply::matching(list, &q)
                        .into_iter()
                        .cloned()
                        .collect()
                })
                .unwrap_or_default()
        })
    });
    let insert = move |r: &QuickReply| {
        draft.set(r.body.clone());
        highlighted.set(0);
    };
    let submit = move || {
        let body = draft.get_untracked();
        if body.trim().is_empty() || state.get_untracked() != ComposerState::Active {
            return;
        }
        last_sent.set_value(body.clone());
        send.dispatch(SendReply { id, body });
        draft.set(String::new());
    };
    // A refused reply (the lock moved, the conversation was resolved) gives the text back.
    Effect::new(move |_| {
        if let Some(Err(_)) = send.value().get()
            && draft.get_untracked().is_empty()
        {
            draft.set(last_sent.get_value());
        }
    });
    let send_error = move || match send.value().get() {
        Some(Err(e)) => Some(e.to_string()),
        _ => problem.get(),
    };
    let on_file = move |ev: leptos::ev::Event| {
        #[cfg(feature = "hydrate")]
        {
            use wasm_bindgen::JsCast;
            let Some(input) = ev
                .target()
                .and_then(|t| t.dyn_into::<web_sys::HtmlInputElement>().ok())
            else {
                return;
            };
            let Some(file) = input.files().and_then(|f| f.get(0)) else {
                return;
            };
            input.set_value("");
            busy.set(true);
            problem.set(None);
            leptos::task::spawn_local(async move {
                let name = file.name();
                let result = browser::upload(id, &file, &name, false).await;
                busy.set(false);
                problem.set(result.err());
            });
        }
        #[cfg(not(feature = "hydrate"))]
        let _ = ev;
    };
    view! {
        <form class="composer" on:submit=move |ev| { ev.prevent_default(); submit(); }>
            <Show when=move || send_error().is_some()>
                <p class="error small" role="alert">{send_error}</p>
            </Show>
            <div class="composer-row">
                <textarea
                    name="body"
                    rows="2"
                    aria-label="Reply"
                    placeholder=move || state.get().placeholder()
                    disabled=move || !active()
                    prop:value=move || draft.get()
                    on:input=move |ev| {
                        draft.set(event_target_value(&ev));
                        menu_dismissed.set(false);
                        highlighted.set(0);
                        // The visitor sees "Support Agent is typing…": at most every 3 s.
                        let now = crate::app::format::clock_ms();
                        if now - typing_sent.get_value() > 3_000 {
                            typing_sent.set_value(now);
                            leptos::task::spawn_local(async move {
                                let _ = super::api::signal_presence(id, true).await;
                            });
                        }
                    }
                    on:keydown=move |ev: leptos::ev::KeyboardEvent| {
                        let items = shown.get_untracked();
                        if !items.is_empty() {
                            let n = items.len();
                            match ev.key().as_str() {
                                "ArrowDown" => highlighted.update(|i| *i = (*i + 1) % n),
                                "ArrowUp" => highlighted.update(|i| *i = (*i + n - 1) % n),
                                "Enter" | "Tab" => {
                                    insert(&items[highlighted.get_untracked().min(n - 1)]);
                                }
                                "Escape" => menu_dismissed.set(true),
                                _ => return,
                            }
                            ev.prevent_default();
                            return;
                        }
                        if ev.key() == "Enter" && !ev.shift_key() && !ev.is_composing() {
                            ev.prevent_default();
                            submit();
                        }
                    }
                ></textarea>
                <div class="composer-tools">
                    <button type="button" class="icon" title="Emoji" aria-label="Emoji"
                        disabled=move || !active() on:click=move |_| emojis_open.update(|o| *o = !*o)>"😊"</button>
                    <label class="icon button" title="Attach a file (image, PDF, document)" aria-label="Attach a file"
                        class:disabled=move || !active() || busy.get()>
                        "📎"
                        <input type="file" accept=ACCEPT hidden disabled=move || !active() || busy.get()
                            on:change=on_file/>
                    </label>
                    <Recorder id active=Signal::derive(active) problem/>
                    <button type="submit" class="primary" disabled=move || !active()>"Send"</button>
                </div>
            </div>
            <Show when=move || !shown.get().is_empty()>
                <ul class="quick-menu" role="listbox" aria-label="Quick replies">
                    {move || shown.get().into_iter().enumerate().map(|(i, r)| {
                        let chosen = r.clone();
                        view! {
                            <li role="option" class:active=move || highlighted.get() == i
                                aria-selected=move || (highlighted.get() == i).to_string()
                                on:mousedown=move |ev| { ev.prevent_default(); insert(&chosen); }>
                                <strong>"/"{r.shortcut.clone()}</strong>" "{r.title.clone()}
                                <span class="muted small">{r.body.chars().take(80).collect::<String>()}</span>
                            </li>
                        }
                    }).collect_view()}
                </ul>
            </Show>
            <Show when=move || emojis_open.get()>
                <div class="emoji-picker" role="listbox" aria-label="Emoji">
                    {EMOJIS.iter().map(|e| view! {
                        <button type="button" class="emoji" role="option" on:click=move |_| {
                            draft.update(|d| d.push_str(e));
                            emojis_open.set(false);
                        }>{*e}</button>
                    }).collect_view()}
                </div>
            </Show>
            <Show when=move || busy.get()>
                <span class="muted small">"Uploading…"</span>
            </Show>
        </form>
    }
}

/// The microphone: record with MediaRecorder, show the time, Stop finishes and sends.
#[component]
fn Recorder(id: i64, active: Signal<bool>, problem: RwSignal<Option<String>>) -> impl IntoView {
    let seconds = RwSignal::new(None::<u32>);
    #[cfg(feature = "hydrate")]
    let recording = StoredValue::new_local(None::<browser::Recording>);
    let start = move |_| {
        #[cfg(feature = "hydrate")]
        leptos::task::spawn_local(async move {
            problem.set(None);
            match browser::Recording::start(id, seconds, problem).await {
                Ok(r) => recording.set_value(Some(r)),
                Err(e) => problem.set(Some(e)),
            }
        });
        #[cfg(not(feature = "hydrate"))]
        let _ = (id, problem);
    };
    let stop = move |_| {
        #[cfg(feature = "hydrate")]
        recording.update_value(|r| {
            if let Some(r) = r.take() {
                r.stop();
            }
        });
    };
    move || {
        match seconds.get() {
        None => view! {
            <button type="button" class="icon" title="Record a voice message" aria-label="Record a voice message"
                disabled=move || !active.get() on:click=start>"🎤"</button>
        }
        .into_any(),
        Some(s) => view! {
            <span class="recording" role="status">"● "{format!("{}:{:02}", s / 60, s % 60)}</span>
            <button type="button" class="warn" on:click=stop>"Stop"</button>
        }
        .into_any(),
    }
    }
}

#[cfg(feature = "hydrate")]
mod browser {
    use leptos::prelude::*;
    use std::cell::RefCell;
    use std::rc::Rc;
    use wasm_bindgen::prelude::*;
    use wasm_bindgen::{JsCast, JsValue};
    use wasm_bindgen_futures::JsFuture;

    fn text(e: JsValue) -> String {
        e.as_string()
            .or_else(|| {
                e.dyn_ref::<js_sys::Error>()
                    .map(|e| String::from(e.message()))
            })
            .unwrap_or_else(|| "The browser refused.".into())
    }

    /// Posts a file to the conversation; the server's refusal comes back as its message.
    pub async fn upload(
        id: i64,
        blob: &web_sys::Blob,
        name: &str,
        recording: bool,
    ) -> Result<(), String> {
        let form = web_sys::FormData::new().map_err(text)?;
        form.append_with_blob_and_filename("file", blob, name)
            .map_err(text)?;
        if recording {
            form.append_with_str("recording", "1").map_err(text)?;
        }
        let init = web_sys::RequestInit::new();
        init.set_method("POST");
        init.set_body(&form);
        let url = format!("/api/dashboard/v1/conversations/{id}/attachments");
        let response = JsFuture::from(window().fetch_with_str_and_init(&url, &init))
            .await
            .map_err(|_| "Could not reach the server. Please try again.".to_string())?;
        let response: web_sys::Response = response.dyn_into().map_err(text)?;
        if response.ok() {
            return Ok(());
        }
        if response.status() == 401 {
            crate::app::live::session_ended();
        }
        let body = match response.json() {
            Ok(p) => JsFuture::from(p).await.ok(),
            Err(_) => None,
        };
        Err(body
            .and_then(|b| js_sys::Reflect::get(&b, &"error".into()).ok())
            .and_then(|e| e.as_string())
            .unwrap_or_else(|| format!("The file was not sent ({}).", response.status())))
    }

    /// A voice recording in progress.
    pub struct Recording {
        recorder: web_sys::MediaRecorder,
        timer: Option<IntervalHandle>,
        seconds: RwSignal<Option<u32>>,
    }

    impl Recording {
        pub async fn start(
            id: i64,
            seconds: RwSignal<Option<u32>>,
            problem: RwSignal<Option<String>>,
        ) -> Result<Recording, String> {
            let devices = window()
                .navigator()
                .media_devices()
                .map_err(|_| "This browser cannot record audio.".to_string())?;
            let constraints = web_sys::MediaStreamConstraints::new();
            constraints.set_audio(&JsValue::TRUE);
            let stream = JsFuture::from(
                devices
                    .get_user_media_with_constraints(&constraints)
                    .map_err(text)?,
            )
            .await
            .map_err(|_| "The microphone is not available (permission denied?).".to_string())?;
            let stream: web_sys::MediaStream = stream.dyn_into().map_err(text)?;
            let recorder = web_sys::MediaRecorder::new_with_media_stream(&stream).map_err(text)?;
            let chunks = Rc::new(RefCell::new(Vec::<web_sys::Blob>::new()));
            let keep = chunks.clone();
            let on_data =
                Closure::<dyn FnMut(web_sys::BlobEvent)>::new(move |e: web_sys::BlobEvent| {
                    if let Some(b) = e.data() {
                        keep.borrow_mut().push(b);
                    }
                });
            recorder.set_ondataavailable(Some(on_data.as_ref().unchecked_ref()));
            on_data.forget();
            let finished = recorder.clone();
            let on_stop = Closure::<dyn FnMut()>::new(move || {
                let tracks = stream.get_tracks();
                for t in tracks.iter() {
                    if let Ok(t) = t.dyn_into::<web_sys::MediaStreamTrack>() {
                        t.stop();
                    }
                }
                let parts = js_sys::Array::new();
                for b in chunks.borrow_mut().drain(..) {
                    parts.push(&b);
                }
                let kind = finished.mime_type();
                let options = web_sys::BlobPropertyBag::new();
                options.set_type(&kind);
                let Ok(blob) = web_sys::Blob::new_with_blob_sequence_and_options(&parts, &options)
                else {
                    problem.set(Some("The recording could not be read.".into()));
                    return;
                };
                let name = if kind.contains("mp4") {
                    "voice-message.m4a"
                } else if kind.contains("ogg") {
                    "voice-message.ogg"
                } else {
                    "voice-message.webm"
                };
                leptos::task::spawn_local(async move {
                    if let Err(e) = upload(id, &blob, name, true).await {
                        problem.set(Some(e));
                    }
                });
            });
            recorder.set_onstop(Some(on_stop.as_ref().unchecked_ref()));
            on_stop.forget();
            recorder.start().map_err(text)?;
            seconds.set(Some(0));
            let timer = set_interval_with_handle(
                move || seconds.update(|s| *s = s.map(|s| s + 1)),
                std::time::Duration::from_secs(1),
            )
            .ok();
            Ok(Recording {
                recorder,
                timer,
                seconds,
            })
        }

        /// Stops; the recording is sent when the recorder hands over its last piece.
        pub fn stop(self) {
            if let Some(t) = self.timer {
                t.clear();
            }
            self.seconds.set(None);
            let _ = self.recorder.stop();
        }
    }
}
