//! Liaison's wire types and pure domain rules.
//!
//! Everything here compiles for the server, the dashboard (wasm) and the widget (wasm), so it
//! depends on serde alone. Rules that must hold everywhere (the status machine, who may join,
//! when the AI may speak) live here as plain functions with unit tests; I/O lives elsewhere.

pub mod ai_budget;
pub mod analytics;
pub mod billing;
pub mod booking;
pub mod business_hours;
pub mod calendar;
pub mod event;
pub mod handoff;
pub mod inbox;
pub mod lead;
pub mod leave_message;
pub mod message;
pub mod overview;
pub mod prechat;
pub mod quick_reply;
pub mod rating;
pub mod retention;
pub mod role;
pub mod sessions;
pub mod status;
pub mod team;
pub mod ticket;
pub mod webhook;
pub mod whatsapp;
pub mod whatsapp_webhook;
pub mod widget_api;
pub mod widget_look;
pub mod widget_security;
pub mod widget_texts;

pub use event::Event;
pub use inbox::{
    Channel, ConversationSummary, Counts, Filter, Holder, InboxCounts, LiveVisitor, Tab,
};
pub use message::{Attachment, Citation, Delivery, Message, MessageKind, Sender};
pub use role::Role;
pub use status::{ConversationStatus, StatusAction, TransitionError};
