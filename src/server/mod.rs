//! Everything that runs only on the server (feature `ssr`).

pub mod ai;
pub mod analytics;
pub mod attachments;
pub mod auth;
pub mod bookings;
pub mod business_hours;
pub mod client_ip;
pub mod config;
pub mod conversations;
pub mod db;
pub mod demo;
pub mod exports;
pub mod guard;
pub mod headers;
pub mod http;
pub mod kb;
pub mod limits;
pub mod outbound;
pub mod presence;
pub mod realtime;
pub mod retention;
pub mod secrets;
pub mod session_streams;
pub mod sse;
pub mod static_files;
pub mod tickets;
pub mod visitor_tokens;
pub mod webhooks;
pub mod whatsapp;
pub mod widget_api;
pub mod widget_security;

pub use config::Config;
pub use http::{AppState, RunningServer, start};

/// Milliseconds since the Unix epoch: how every time is stored and sent.
pub fn now_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_millis() as i64)
        .unwrap_or_default()
}

/// Makes rustls use *ring* for every outgoing HTTPS call (LLM endpoints, documents by URL).
/// Idempotent; called at start-up before any client is built.
pub fn install_tls() {
    static ONCE: std::sync::Once = std::sync::Once::new();
    ONCE.call_once(|| {
        // Err means another provider is already installed, which serves as well.
        let _ = rustls::crypto::ring::default_provider().install_default();
    });
}
