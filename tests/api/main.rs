//! The integration tests: one binary (one link of the whole server) that starts the real app on
//! 127.0.0.1:0 with a fresh SQLite file and speaks HTTP to it. The `bench_*` modules are ignored
//! tests that print figures for `cargo xtask bench`.

mod common;

mod access;
mod agent_llm;
mod agent_policy;
mod analytics;
mod attachments;
mod backends;
mod bench_agent;
mod bench_backends;
mod bench_inbox;
mod bench_limits;
mod bench_streams;
mod bench_whatsapp;
mod billing;
mod booking;
mod handoff;
mod hybrid;
mod inbox;
mod instances;
mod join_lock;
mod kb;
mod limits;
mod outbound;
mod overview;
mod panel;
mod poison;
mod prechat;
mod processes;
mod retention;
mod schema;
mod secrets;
mod sessions;
mod site_config;
mod sse_replay;
mod team;
mod tickets;
mod webhooks;
mod whatsapp;
mod widget_flow;
mod widget_security;
mod writer;
