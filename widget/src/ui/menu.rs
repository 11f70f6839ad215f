//! The widget's menu (☰ in the header): start a new conversation once the current one is
//! resolved (resolved conversations are closed), read past conversations again (a resolved one
//! read-only, without a message box), and talk to a human.

use super::{Widget, button, el, local_time, number};
use crate::digits::decimal;
use crate::texts::t;
use liaison_protocol::widget_texts::Text;
use std::rc::Rc;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::spawn_local;
use web_sys::Element;

impl Widget {
    /// A click on the menu's button, one of its items, or the past view's buttons.
    pub(super) fn menu_clicked(self: &Rc<Self>, class: &str, b: &Element) {
        let w = self.clone();
        match class {
            "menu-button" => self.toggle_menu(),
            "new-chat" => {
                self.close_menu();
                self.show_live();
                if self.can_start_new() {
                    self.restart();
                }
            }
            "past-item" => {
                self.close_menu();
                w.list_past_soon(None);
            }
            "menu-human" => {
                self.close_menu();
                self.show_live();
                w.escalate_soon();
            }
            "back" => self.show_live(),
            "older" => {
                if let Some(before) = number(b, "data-before") {
                    b.remove();
                    w.list_past_soon(Some(before));
                }
            }
            "past-row" => {
                if let Some(id) = number(b, "data-past") {
                    spawn_local(async move { w.open_past(id).await });
                }
            }
            _ => {}
        }
    }

    fn toggle_menu(&self) {
        if !self.menu.has_attribute("hidden") {
            self.close_menu();
            return;
        }
        // One open conversation at a time: a new one once the current one is resolved.
        if self.can_start_new() {
            let _ = self.new_chat.remove_attribute("disabled");
            let _ = self.new_chat.remove_attribute("title");
        } else {
            let _ = self.new_chat.set_attribute("disabled", "");
            let _ = self.new_chat.set_attribute("title", t(Text::StillOpen));
        }
        let _ = self.menu.remove_attribute("hidden");
        let _ = self.menu_button.set_attribute("aria-expanded", "true");
    }

    fn close_menu(&self) {
        let _ = self.menu.set_attribute("hidden", "");
        let _ = self.menu_button.set_attribute("aria-expanded", "false");
    }

    fn can_start_new(&self) -> bool {
        let thread = self.thread.borrow();
        thread.conversation_id.is_none() || thread.closed()
    }

    /// Back to the live conversation.
    fn show_live(&self) {
        let _ = self.past.set_attribute("hidden", "");
        self.past.set_inner_html("");
        let _ = self.live.remove_attribute("hidden");
    }

    /// The past view, emptied, with its way back.
    fn show_past(&self) {
        self.past.set_inner_html("");
        let back = button(&self.doc, "back", &["← ", t(Text::Back)].concat());
        let _ = self.past.append_child(&back);
        let _ = self.live.set_attribute("hidden", "");
        let _ = self.past.remove_attribute("hidden");
    }

    fn list_past_soon(self: Rc<Self>, before: Option<i64>) {
        spawn_local(async move { self.list_past(before).await });
    }

    /// The visitor's conversations, newest first; `before` appends the next page.
    async fn list_past(self: Rc<Self>, before: Option<i64>) {
        let Some(api) = self.api() else { return };
        if before.is_none() {
            self.show_past();
            let title = el(&self.doc, "h3", "");
            title.set_text_content(Some(t(Text::Past)));
            let _ = self.past.append_child(&title);
        }
        match api.past(before).await {
            Ok((rows, next)) => {
                if rows.is_empty() && before.is_none() {
                    let empty = el(&self.doc, "p", "empty");
                    empty.set_text_content(Some(t(Text::NoPast)));
                    let _ = self.past.append_child(&empty);
                }
                for r in rows {
                    let row = el(&self.doc, "button", "past-row");
                    let _ = row.set_attribute("type", "button");
                    let _ = row.set_attribute("data-past", &decimal(r.id));
                    let when = el(&self.doc, "span", "when");
                    let status = if r.status.is_closed() {
                        t(Text::StatusResolved)
                    } else {
                        t(Text::StatusOpen)
                    };
                    when.set_text_content(Some(
                        &[&local_time(r.last_activity_at), " · ", status].concat(),
                    ));
                    let preview = el(&self.doc, "span", "preview");
                    preview.set_text_content(Some(&r.last_message));
                    let _ = row.append_child(&when);
                    let _ = row.append_child(&preview);
                    let _ = self.past.append_child(&row);
                }
                if let Some(next) = next {
                    let older = button(&self.doc, "older", t(Text::Older));
                    let _ = older.set_attribute("data-before", &decimal(next));
                    let _ = self.past.append_child(&older);
                }
            }
            Err(_) => self.past_error(),
        }
    }

    /// A past conversation: the live one goes back to the live view; a resolved one is shown
    /// read-only.
    async fn open_past(self: Rc<Self>, id: i64) {
        if self.thread.borrow().conversation_id == Some(id) {
            self.show_live();
            return;
        }
        let Some(api) = self.api() else { return };
        match api.past_conversation(id).await {
            // Only the latest conversation can be open, and the live view shows it.
            Ok(c) if !c.status.is_closed() => self.show_live(),
            Ok(c) => {
                self.show_past();
                let thread = el(&self.doc, "div", "past-thread");
                let _ = thread.set_attribute("data-conversation", &decimal(id));
                for m in &c.messages {
                    let _ = thread.append_child(&self.render(m));
                }
                // Read-only: a closed conversation's booking slots cannot be chosen.
                if let Ok(buttons) = thread.query_selector_all("button") {
                    for i in 0..buttons.length() {
                        if let Some(b) = buttons.item(i).and_then(|b| b.dyn_into::<Element>().ok())
                        {
                            let _ = b.set_attribute("disabled", "");
                        }
                    }
                }
                let note = el(&self.doc, "p", "closed-note");
                note.set_text_content(Some(t(Text::Resolved)));
                let _ = thread.append_child(&note);
                let _ = self.past.append_child(&thread);
            }
            Err(_) => self.past_error(),
        }
    }

    fn past_error(&self) {
        let error = el(&self.doc, "p", "error");
        error.set_text_content(Some(t(Text::Unreachable)));
        let _ = self.past.append_child(&error);
    }
}
