//! The LLM side of the agent: settings, the async-openai client, the prompt, the tools and the
//! streamed turn. Nothing here decides policy; `ai::agent` does.

pub mod client;
pub mod prompt;
pub mod settings;
pub mod tools;
pub mod turn;

pub use client::Llm;
pub use settings::{AgentSettings, Endpoint};
