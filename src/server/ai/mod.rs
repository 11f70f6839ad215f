//! The AI agent: policy (when to speak, hand over or resolve), retrieval from the knowledge base,
//! the built-in answerer, and the LLM client.

pub mod agent;
pub mod builtin;
pub mod policy;
pub mod retrieval;

pub use agent::respond;
