//! The one client every LLM call goes through (async-openai, any OpenAI-compatible endpoint).

use super::prompt::Line;
use super::settings::Endpoint;
use super::tools;
use async_openai::Client;
use async_openai::config::OpenAIConfig;
use async_openai::error::OpenAIError;
use async_openai::types::chat::{
    ChatCompletionMessageToolCall, ChatCompletionMessageToolCalls,
    ChatCompletionRequestAssistantMessage, ChatCompletionRequestAssistantMessageContent,
    ChatCompletionRequestMessage, ChatCompletionRequestSystemMessage,
    ChatCompletionRequestToolMessage, ChatCompletionRequestUserMessage,
    ChatCompletionResponseStream, ChatCompletionStreamOptions, ChatCompletionTool,
    ChatCompletionTools, CreateChatCompletionRequest, FunctionCall, FunctionObject,
};
use async_openai::types::embeddings::{CreateEmbeddingRequest, EmbeddingInput};
use std::sync::OnceLock;
use std::time::Duration;

pub use async_openai::types::chat::CompletionUsage;

#[derive(Clone)]
pub struct Llm {
    client: Client<OpenAIConfig>,
    pub endpoint: Endpoint,
}

/// A message in a tool-using exchange, beyond the prompt's plain lines.
#[derive(Debug, Clone)]
pub enum Turn {
    Line(Line),
    /// The model's own message that called tools.
    ToolRequest {
        text: String,
        calls: Vec<tools::PendingCall>,
    },
    /// What a tool returned, for the call with this id.
    ToolResult {
        call_id: String,
        content: String,
    },
}

impl Llm {
    /// A client for `endpoint`. Cheap: every `Llm` shares one HTTP client (its connection pool and
    /// TLS roots are built once per process, not per visitor message).
    /// Reaches public addresses only unless the endpoint allows a private one (`outbound`).
    pub fn new(endpoint: &Endpoint) -> Llm {
        use crate::server::outbound::{self, Reach};
        static PUBLIC: OnceLock<reqwest::Client> = OnceLock::new();
        static ANYWHERE: OnceLock<reqwest::Client> = OnceLock::new();
        let (cell, reach) = if endpoint.allow_private {
            (&ANYWHERE, Reach::anywhere())
        } else {
            (&PUBLIC, Reach::public())
        };
        let http = cell
            .get_or_init(|| {
                outbound::builder(&reach, 0)
                    .connect_timeout(Duration::from_secs(10))
                    .build()
                    .expect("the HTTP client builds")
            })
            .clone();
        let config = OpenAIConfig::new()
            .with_api_base(endpoint.base_url.trim_end_matches('/'))
            .with_api_key(endpoint.api_key.clone());
        Llm {
            client: Client::build(http, config),
            endpoint: endpoint.clone(),
        }
    }

    fn request(
        &self,
        turns: &[Turn],
        with_tools: bool,
        stream: bool,
    ) -> CreateChatCompletionRequest {
        let tools = with_tools.then(|| {
            tools::definitions()
                .into_iter()
                .map(|(name, description, parameters)| {
                    ChatCompletionTools::Function(ChatCompletionTool {
                        function: FunctionObject {
                            name: name.into(),
                            description: Some(description.into()),
                            parameters: Some(parameters),
                            strict: None,
                        },
                    })
                })
                .collect()
        });
        CreateChatCompletionRequest {
            model: self.endpoint.model.clone(),
            messages: turns.iter().map(to_message).collect(),
            temperature: Some(self.endpoint.temperature),
            max_completion_tokens: Some(self.endpoint.max_tokens),
            tools,
            stream: Some(stream),
            stream_options: stream.then_some(ChatCompletionStreamOptions {
                include_usage: Some(true),
                include_obfuscation: None,
            }),
            ..Default::default()
        }
    }

    /// A base URL that is a literal private address (names are checked as they resolve) is not
    /// called unless the endpoint allows it.
    fn reachable(&self) -> Result<(), OpenAIError> {
        use crate::server::outbound::{Reach, literal_refused};
        let reach = Reach::from_allowed(self.endpoint.allow_private);
        match reqwest::Url::parse(&self.endpoint.base_url) {
            Ok(url) if !literal_refused(&url, &reach) => Ok(()),
            _ => Err(OpenAIError::InvalidArgument(
                "the LLM base URL is not a public address (Settings → AI agent)".into(),
            )),
        }
    }

    /// Starts a streamed chat completion with the agent's tools.
    pub async fn stream(
        &self,
        turns: &[Turn],
    ) -> Result<ChatCompletionResponseStream, OpenAIError> {
        self.reachable()?;
        self.client
            .chat()
            .create_stream(self.request(turns, true, true))
            .await
    }

    /// One chat completion without tools (Copilot drafts): the text and the usage.
    pub async fn complete(
        &self,
        turns: &[Turn],
    ) -> Result<(String, Option<CompletionUsage>), OpenAIError> {
        self.reachable()?;
        let response = self
            .client
            .chat()
            .create(self.request(turns, false, false))
            .await?;
        let text = response
            .choices
            .into_iter()
            .next()
            .and_then(|c| c.message.content)
            .unwrap_or_default();
        Ok((text, response.usage))
    }

    /// Embeds texts with the configured embeddings model (None when there is none).
    pub async fn embed(&self, texts: Vec<String>) -> Result<Option<Vec<Vec<f32>>>, OpenAIError> {
        let Some(model) = &self.endpoint.embeddings_model else {
            return Ok(None);
        };
        self.reachable()?;
        let response = self
            .client
            .embeddings()
            .create(CreateEmbeddingRequest {
                model: model.clone(),
                input: EmbeddingInput::StringArray(texts),
                ..Default::default()
            })
            .await?;
        let mut data = response.data;
        data.sort_by_key(|e| e.index);
        Ok(Some(data.into_iter().map(|e| e.embedding).collect()))
    }
}

fn to_message(turn: &Turn) -> ChatCompletionRequestMessage {
    match turn {
        Turn::Line(Line::System(t)) => ChatCompletionRequestSystemMessage::from(t.as_str()).into(),
        Turn::Line(Line::User(t)) => ChatCompletionRequestUserMessage::from(t.as_str()).into(),
        Turn::Line(Line::Assistant(t)) => {
            ChatCompletionRequestAssistantMessage::from(t.as_str()).into()
        }
        #[allow(deprecated)]
        Turn::ToolRequest { text, calls } => ChatCompletionRequestAssistantMessage {
            content: (!text.is_empty())
                .then(|| ChatCompletionRequestAssistantMessageContent::Text(text.clone())),
            tool_calls: Some(
                calls
                    .iter()
                    .map(|c| {
                        ChatCompletionMessageToolCalls::Function(ChatCompletionMessageToolCall {
                            id: c.id.clone(),
                            function: FunctionCall {
                                name: c.name.clone(),
                                arguments: c.arguments.clone(),
                            },
                        })
                    })
                    .collect(),
            ),
            ..Default::default()
        }
        .into(),
        Turn::ToolResult { call_id, content } => ChatCompletionRequestToolMessage {
            content: content.as_str().into(),
            tool_call_id: call_id.clone(),
        }
        .into(),
    }
}
