//! A local OpenAI-compatible server for tests: speaks the real streaming format (content
//! deltas, tool calls in pieces, the usage chunk, `[DONE]`), and can fail on demand with an HTTP
//! error, a stall, or a chunk that is not JSON. Each request takes the next scripted reply.

use axum::Router;
use axum::body::{Body, Bytes};
use axum::extract::State;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use futures::StreamExt;
use serde_json::{Value, json};
use std::collections::VecDeque;
use std::convert::Infallible;
use std::sync::{Arc, Mutex};
use std::time::Duration;

#[derive(Debug, Clone)]
pub enum Reply {
    /// Streamed text, one chunk per piece.
    Text(Vec<&'static str>),
    /// A tool call with its arguments split into pieces.
    Tool {
        name: &'static str,
        args: Vec<&'static str>,
    },
    /// An HTTP error with an OpenAI-style error body.
    Status(u16, &'static str),
    /// Sends these pieces, then nothing, ever.
    Stall(Vec<&'static str>),
    /// A chunk that is not JSON.
    Garbage,
    /// Pieces with a pause before each (for the bench and slow-stream tests).
    Slow(Vec<&'static str>, Duration),
}

#[derive(Clone, Default)]
struct Shared {
    replies: Arc<Mutex<VecDeque<Reply>>>,
    requests: Arc<Mutex<Vec<Value>>>,
    /// When each `Slow` reply handed its first piece to the connection (for the bench).
    first_sent: Arc<Mutex<Vec<std::time::Instant>>>,
    /// Each chat request's Authorization header.
    authorizations: Arc<Mutex<Vec<Option<String>>>>,
}

pub struct FakeLlm {
    /// The base URL to configure, ending in /v1.
    pub url: String,
    shared: Shared,
}

impl FakeLlm {
    pub async fn start() -> FakeLlm {
        let shared = Shared::default();
        let app = Router::new()
            .route("/v1/chat/completions", post(chat))
            .route("/v1/embeddings", post(embeddings))
            .with_state(shared.clone());
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        tokio::spawn(async move {
            // Like the real server: each token leaves at once, not after Nagle's delay.
            let listener = axum::serve::ListenerExt::tap_io(listener, |tcp| {
                let _ = tcp.set_nodelay(true);
            });
            axum::serve(listener, app).await.unwrap();
        });
        FakeLlm {
            url: format!("http://{addr}/v1"),
            shared,
        }
    }

    pub fn push(&self, reply: Reply) {
        self.shared.replies.lock().unwrap().push_back(reply);
    }

    /// Every chat request received, as JSON.
    pub fn requests(&self) -> Vec<Value> {
        self.shared.requests.lock().unwrap().clone()
    }

    /// The Authorization header of each chat request (None: there was none).
    pub fn authorizations(&self) -> Vec<Option<String>> {
        self.shared.authorizations.lock().unwrap().clone()
    }

    /// When each `Slow` reply sent its first token.
    pub fn first_tokens_sent(&self) -> Vec<std::time::Instant> {
        self.shared.first_sent.lock().unwrap().clone()
    }

    /// The environment that points the app at this server.
    pub fn env(&self) -> Vec<(&'static str, String)> {
        vec![
            ("LIAISON_LLM_BASE_URL", self.url.clone()),
            ("LIAISON_LLM_MODEL", "fake-model".into()),
            ("LIAISON_LLM_API_KEY", "test-key".into()),
            ("LIAISON_LLM_PRICE_IN", "2".into()),
            ("LIAISON_LLM_PRICE_OUT", "10".into()),
        ]
    }
}

fn chunk(delta: Value, finish: Option<&str>) -> String {
    let body = json!({
        "id": "chatcmpl-fake", "object": "chat.completion.chunk", "created": 1,
        "model": "fake-model",
        "choices": [{"index": 0, "delta": delta, "finish_reason": finish}]
    });
    format!("data: {body}\n\n")
}

fn usage_chunk() -> String {
    let body = json!({
        "id": "chatcmpl-fake", "object": "chat.completion.chunk", "created": 1,
        "model": "fake-model", "choices": [],
        "usage": {"prompt_tokens": 120, "completion_tokens": 30, "total_tokens": 150}
    });
    format!("data: {body}\n\n")
}

fn sse(frames: Vec<String>) -> Response {
    let stream = futures::stream::iter(
        frames
            .into_iter()
            .map(|f| Ok::<_, Infallible>(Bytes::from(f))),
    );
    sse_body(Body::from_stream(stream))
}

fn sse_body(body: Body) -> Response {
    ([(header::CONTENT_TYPE, "text/event-stream")], body).into_response()
}

async fn chat(
    State(shared): State<Shared>,
    headers: axum::http::HeaderMap,
    body: String,
) -> Response {
    shared.authorizations.lock().unwrap().push(
        headers
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .map(str::to_string),
    );
    let request: Value = serde_json::from_str(&body).unwrap_or(Value::Null);
    let streamed = request["stream"] == json!(true);
    shared.requests.lock().unwrap().push(request);
    let reply = shared
        .replies
        .lock()
        .unwrap()
        .pop_front()
        .unwrap_or(Reply::Text(vec!["(no scripted reply)"]));
    if !streamed {
        let text = match reply {
            Reply::Text(pieces) => pieces.concat(),
            Reply::Status(code, message) => return error(code, message),
            _ => "(unsupported)".into(),
        };
        return axum::Json(json!({
            "id": "chatcmpl-fake", "object": "chat.completion", "created": 1, "model": "fake-model",
            "choices": [{"index": 0, "message": {"role": "assistant", "content": text}, "finish_reason": "stop"}],
            "usage": {"prompt_tokens": 200, "completion_tokens": 50, "total_tokens": 250}
        }))
        .into_response();
    }
    match reply {
        Reply::Text(pieces) => {
            let mut frames = vec![chunk(json!({"role": "assistant", "content": ""}), None)];
            frames.extend(pieces.iter().map(|p| chunk(json!({"content": p}), None)));
            frames.push(chunk(json!({}), Some("stop")));
            frames.push(usage_chunk());
            frames.push("data: [DONE]\n\n".into());
            sse(frames)
        }
        Reply::Tool { name, args } => {
            let mut frames = vec![chunk(
                json!({"role": "assistant", "tool_calls": [{"index": 0, "id": "call_1", "type": "function",
                    "function": {"name": name, "arguments": ""}}]}),
                None,
            )];
            frames.extend(args.iter().map(|a| {
                chunk(
                    json!({"tool_calls": [{"index": 0, "function": {"arguments": a}}]}),
                    None,
                )
            }));
            frames.push(chunk(json!({}), Some("tool_calls")));
            frames.push(usage_chunk());
            frames.push("data: [DONE]\n\n".into());
            sse(frames)
        }
        Reply::Status(code, message) => error(code, message),
        Reply::Stall(pieces) => {
            let frames: Vec<String> = pieces
                .iter()
                .map(|p| chunk(json!({"content": p}), None))
                .collect();
            let stream = futures::stream::iter(
                frames
                    .into_iter()
                    .map(|f| Ok::<_, Infallible>(Bytes::from(f))),
            )
            .chain(futures::stream::pending());
            sse_body(Body::from_stream(stream))
        }
        Reply::Garbage => sse(vec!["data: {this is not json\n\n".into()]),
        Reply::Slow(pieces, pause) => {
            let mut frames: Vec<String> = pieces
                .iter()
                .map(|p| chunk(json!({"content": p}), None))
                .collect();
            frames.push(chunk(json!({}), Some("stop")));
            frames.push("data: [DONE]\n\n".into());
            let first_sent = shared.first_sent.clone();
            let stream =
                futures::stream::iter(frames.into_iter().enumerate()).then(move |(i, f)| {
                    let first_sent = first_sent.clone();
                    async move {
                        tokio::time::sleep(pause).await;
                        if i == 0 {
                            first_sent.lock().unwrap().push(std::time::Instant::now());
                        }
                        Ok::<_, Infallible>(Bytes::from(f))
                    }
                });
            sse_body(Body::from_stream(stream))
        }
    }
}

fn error(code: u16, message: &str) -> Response {
    (
        StatusCode::from_u16(code).unwrap(),
        axum::Json(json!({"error": {"message": message, "type": "server_error", "param": null, "code": null}})),
    )
        .into_response()
}

/// Deterministic embeddings: a bag of hashed words, so similar texts are near each other.
async fn embeddings(body: String) -> Response {
    let request: Value = serde_json::from_str(&body).unwrap_or(Value::Null);
    let inputs: Vec<String> = match &request["input"] {
        Value::String(s) => vec![s.clone()],
        Value::Array(a) => a
            .iter()
            .filter_map(|v| v.as_str().map(String::from))
            .collect(),
        _ => vec![],
    };
    let data: Vec<Value> = inputs
        .iter()
        .enumerate()
        .map(|(i, text)| json!({"object": "embedding", "index": i, "embedding": embed(text)}))
        .collect();
    axum::Json(
        json!({"object": "list", "data": data, "model": "fake-embed",
        "usage": {"prompt_tokens": 10, "total_tokens": 10}}),
    )
    .into_response()
}

pub fn embed(text: &str) -> Vec<f32> {
    let mut v = vec![0f32; 64];
    for word in text
        .to_lowercase()
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| w.len() > 2)
    {
        let h = word
            .bytes()
            .fold(5381u32, |h, b| h.wrapping_mul(33).wrapping_add(b as u32));
        v[(h % 64) as usize] += 1.0;
    }
    v
}
