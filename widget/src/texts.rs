//! The widget's own words. English is built in; another language's texts come with the widget
//! API's config, fetched by the loader while the wasm loads (see `widget_texts` in protocol/), so a
//! visitor downloads only their own language.

use liaison_protocol::widget_texts::{COUNT, ENGLISH, Text};
use std::cell::{Cell, RefCell};

thread_local! {
    static LOADED: RefCell<Option<Vec<&'static str>>> = const { RefCell::new(None) };
    static CODE: Cell<&'static str> = const { Cell::new("en") };
}

/// Uses a language's texts, as `GET /config` sent them (`{"lang": "fr", "texts": [...]}`);
/// anything else (no texts, an error page, a wrong count) keeps English.
pub fn load(config: &wasm_bindgen::JsValue) {
    let texts: Vec<String> = crate::json::array(config, "texts")
        .iter()
        .filter_map(|t| t.as_string())
        .collect();
    let Some(code) = crate::json::string(config, "lang")
        .and_then(|l| liaison_protocol::widget_texts::language(&l))
    else {
        return;
    };
    if texts.len() == COUNT {
        // The widget lives as long as the page: its texts too.
        let texts = texts.into_iter().map(|t| &*t.leak()).collect();
        LOADED.with(|l| *l.borrow_mut() = Some(texts));
        CODE.with(|c| c.set(code));
    }
}

/// The language the widget speaks ("en", "fr"): sent as the visitor's language, so the AI's
/// fixed messages match the widget's.
pub fn current() -> &'static str {
    CODE.with(Cell::get)
}

/// One text in the widget's language.
pub fn t(text: Text) -> &'static str {
    let i = text as usize;
    LOADED
        .with(|l| l.borrow().as_ref().map(|texts| texts[i]))
        .unwrap_or(ENGLISH[i])
}
