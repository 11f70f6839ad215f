//! The AI agent, first cut: the built-in answerer (no LLM). It answers from the knowledge base
//! with the best passage and its source, or hands over to a human.

pub mod answerer;
pub mod policy;
pub mod retrieval;

pub use answerer::respond;
