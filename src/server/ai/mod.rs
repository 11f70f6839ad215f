//! The AI agent: policy (when to speak, hand over or resolve), retrieval from the knowledge base,
//! and the LLM client. `agent::respond` runs one turn; without an LLM the best passage answers.

pub mod agent;
pub mod budget;
pub mod copilot;
pub mod grounding;
pub mod llm;
pub mod policy;
pub mod retrieval;
pub mod translate;
pub mod turns;

pub use agent::respond;
