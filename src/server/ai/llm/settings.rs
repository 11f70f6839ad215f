//! The agent's settings: which OpenAI-compatible endpoint (if any) answers, with what model and
//! temperature, at what price, and the business's own instructions. Environment variables give
//! the defaults; once an Admin or Owner saves Settings, the stored copy wins.

use serde::{Deserialize, Serialize};

/// Where LLM calls go. OpenAI, Ollama (`http://localhost:11434/v1`), llama.cpp and vLLM all
/// speak this API.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Endpoint {
    /// e.g. `https://api.openai.com/v1`.
    pub base_url: String,
    /// May be empty for local servers that need none.
    #[serde(default)]
    pub api_key: String,
    pub model: String,
    #[serde(default = "default_temperature")]
    pub temperature: f32,
    /// An embeddings model on the same endpoint; without one, retrieval is BM25 alone.
    #[serde(default)]
    pub embeddings_model: Option<String>,
    /// Estimated price in US dollars per million prompt (input) tokens.
    #[serde(default)]
    pub price_in: f64,
    /// Estimated price in US dollars per million completion (output) tokens.
    #[serde(default)]
    pub price_out: f64,
    /// How long to wait for the first token, and at most between two tokens.
    #[serde(default = "default_timeout")]
    pub timeout_secs: u64,
    /// The most tokens one answer may have (`max_completion_tokens` on every call).
    #[serde(default = "default_max_tokens")]
    pub max_tokens: u32,
    /// The base URL may be a private address (Ollama on this machine). Only the Owner can set
    /// it in Settings; endpoints from the environment are the server operator's and have it.
    #[serde(default)]
    pub allow_private: bool,
}

fn default_max_tokens() -> u32 {
    1024
}

/// The range Settings accepts for `max_tokens`.
pub const MAX_TOKENS_RANGE: std::ops::RangeInclusive<u32> = 16..=32_768;

fn default_temperature() -> f32 {
    0.2
}

fn default_timeout() -> u64 {
    30
}

#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct AgentSettings {
    /// None: the built-in answerer is the agent.
    pub llm: Option<Endpoint>,
    /// The customer part of the system prompt: tone, product facts, what not to promise.
    #[serde(default)]
    pub instructions: String,
}

/// The longest instructions accepted, in characters.
pub const MAX_INSTRUCTIONS: usize = 8000;

impl Endpoint {
    /// Checks what a person typed; the message names the field.
    pub fn validate(&self) -> Result<(), String> {
        let url = self.base_url.trim();
        if !(url.starts_with("http://") || url.starts_with("https://")) {
            return Err(format!(
                "Base URL {url:?} must start with http:// or https://"
            ));
        }
        if self.model.trim().is_empty() {
            return Err("Model is required when a base URL is set.".into());
        }
        if !(0.0..=2.0).contains(&self.temperature) {
            return Err("Temperature must be between 0 and 2.".into());
        }
        if self.price_in < 0.0 || self.price_out < 0.0 {
            return Err("Prices cannot be negative.".into());
        }
        if !(1..=600).contains(&self.timeout_secs) {
            return Err("Timeout must be between 1 and 600 seconds.".into());
        }
        if !MAX_TOKENS_RANGE.contains(&self.max_tokens) {
            return Err(format!(
                "Max answer tokens must be between {} and {}.",
                MAX_TOKENS_RANGE.start(),
                MAX_TOKENS_RANGE.end()
            ));
        }
        Ok(())
    }

    /// Estimated cost of a call in millionths of a dollar.
    pub fn cost_micro_usd(&self, prompt_tokens: u32, completion_tokens: u32) -> i64 {
        // $X per million tokens is X millionths of a dollar per token.
        (prompt_tokens as f64 * self.price_in + completion_tokens as f64 * self.price_out).round()
            as i64
    }
}

impl AgentSettings {
    pub fn validate(&self) -> Result<(), String> {
        if self.instructions.chars().count() > MAX_INSTRUCTIONS {
            return Err(format!(
                "Agent instructions are too long ({MAX_INSTRUCTIONS} characters at most)."
            ));
        }
        match &self.llm {
            Some(e) => e.validate(),
            None => Ok(()),
        }
    }

    /// Defaults from the environment: `LIAISON_LLM_BASE_URL` (none: built-in answerer),
    /// `LIAISON_LLM_API_KEY`, `LIAISON_LLM_MODEL`, `LIAISON_LLM_TEMPERATURE`,
    /// `LIAISON_EMBEDDINGS_MODEL`, `LIAISON_LLM_PRICE_IN` / `_OUT` (USD per million tokens),
    /// `LIAISON_LLM_TIMEOUT_SECS`, `LIAISON_LLM_MAX_TOKENS` (1024), `LIAISON_AGENT_INSTRUCTIONS`.
    /// The server's operator set these, so the endpoint may be a private address.
    pub fn from_lookup(get: impl Fn(&str) -> Option<String>) -> Result<AgentSettings, String> {
        let number = |name: &str, default: f64| -> Result<f64, String> {
            match get(name) {
                Some(v) => v
                    .trim()
                    .parse::<f64>()
                    .map_err(|_| format!("{name}: {v:?} is not a number")),
                None => Ok(default),
            }
        };
        let llm = match get("LIAISON_LLM_BASE_URL") {
            None => None,
            Some(base_url) => Some(Endpoint {
                base_url: base_url.trim_end_matches('/').to_string(),
                api_key: get("LIAISON_LLM_API_KEY").unwrap_or_default(),
                model: get("LIAISON_LLM_MODEL").unwrap_or_default(),
                temperature: number("LIAISON_LLM_TEMPERATURE", default_temperature() as f64)?
                    as f32,
                embeddings_model: get("LIAISON_EMBEDDINGS_MODEL"),
                price_in: number("LIAISON_LLM_PRICE_IN", 0.0)?,
                price_out: number("LIAISON_LLM_PRICE_OUT", 0.0)?,
                timeout_secs: number("LIAISON_LLM_TIMEOUT_SECS", default_timeout() as f64)? as u64,
                max_tokens: number("LIAISON_LLM_MAX_TOKENS", default_max_tokens() as f64)? as u32,
                allow_private: true,
            }),
        };
        let settings = AgentSettings {
            llm,
            instructions: get("LIAISON_AGENT_INSTRUCTIONS").unwrap_or_default(),
        };
        settings.validate().map(|_| settings)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn from(pairs: &[(&str, &str)]) -> Result<AgentSettings, String> {
        let map: HashMap<_, _> = pairs.iter().copied().collect();
        AgentSettings::from_lookup(|k| map.get(k).map(|v| v.to_string()))
    }

    #[test]
    fn nothing_configured_is_the_builtin_answerer() {
        assert_eq!(from(&[]).unwrap().llm, None);
    }

    #[test]
    fn an_endpoint_from_the_environment() {
        let s = from(&[
            ("LIAISON_LLM_BASE_URL", "http://localhost:11434/v1/"),
            ("LIAISON_LLM_MODEL", "llama3.2"),
            ("LIAISON_LLM_TEMPERATURE", "0.7"),
            ("LIAISON_LLM_PRICE_IN", "0.15"),
            ("LIAISON_LLM_PRICE_OUT", "0.6"),
        ])
        .unwrap();
        let e = s.llm.unwrap();
        assert_eq!(e.base_url, "http://localhost:11434/v1");
        assert_eq!(e.model, "llama3.2");
        assert!((e.temperature - 0.7).abs() < 1e-6);
        // 1,000 tokens in at $0.15/M and 2,000 out at $0.60/M: $0.00135.
        assert_eq!(e.cost_micro_usd(1000, 2000), 1350);
    }

    #[test]
    fn bad_values_are_explained() {
        assert!(
            from(&[("LIAISON_LLM_BASE_URL", "localhost:11434")])
                .unwrap_err()
                .contains("http://")
        );
        assert!(
            from(&[("LIAISON_LLM_BASE_URL", "http://x/v1")])
                .unwrap_err()
                .contains("Model")
        );
        assert!(
            from(&[
                ("LIAISON_LLM_BASE_URL", "http://x/v1"),
                ("LIAISON_LLM_MODEL", "m"),
                ("LIAISON_LLM_TEMPERATURE", "hot")
            ])
            .unwrap_err()
            .contains("LIAISON_LLM_TEMPERATURE")
        );
        assert!(
            from(&[
                ("LIAISON_LLM_BASE_URL", "http://x/v1"),
                ("LIAISON_LLM_MODEL", "m"),
                ("LIAISON_LLM_TEMPERATURE", "3")
            ])
            .is_err()
        );
    }
}
