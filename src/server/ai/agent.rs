//! The AI agent's turn: what happens after a visitor's message is stored.
//!
//! 1. Nothing at all while a human holds the conversation or was asked for (`ai_may_reply`,
//!    checked by the send that starts the turn).
//! 2. The policy (`policy::decide`, pure) looks at the message and the thread: a request for a
//!    human, frustration, a confirmation, a greeting, or thanks that ask for nothing are handled
//!    without any model.
//! 3. Otherwise retrieval looks for passages; when none match a question that is not in English
//!    and a model is configured, the model translates it and retrieval runs again
//!    (`translate`). None relevant: out of scope, a knowledge gap and a handover. Some: the LLM answers from them when one is configured (streaming pieces to the
//!    widget, citing its sources), else the built-in answerer replies with the best passage.
//! 4. If the model fails (error, time-out, broken tool call, empty answer) the visitor gets the
//!    best passage instead, and the error is logged.
//! 5. Every write re-checks that the AI may still speak, so it never answers over an operator
//!    who joined meanwhile.

use super::llm::{self, AgentSettings, Endpoint, Llm, prompt, turn};
use super::policy::{self, Decision, Frustration, Handover, Lang, Say, Turn};
use super::retrieval::{self, Passage};
use super::{budget, grounding, translate};
use crate::server::conversations::{self, AiReplies, AiReply, Gap, OpError};
use crate::server::db::{self, Db, gaps::GapReason};
use liaison_protocol::{Citation, Event, Message, Sender};

/// How many passages the model is given to answer from.
const PASSAGES: usize = 4;

/// The settings in force: those saved in the dashboard, else the environment's.
pub async fn current_settings(db: &Db, defaults: &AgentSettings) -> AgentSettings {
    match db::settings::get::<AgentSettings>(&db.read, "agent").await {
        Ok(Some(mut saved)) => {
            // Stored sealed (`secrets`); one that cannot be opened is no key at all.
            if let Some(llm) = saved.llm.as_mut() {
                llm.api_key = db.secrets().open(&llm.api_key).unwrap_or_else(|e| {
                    tracing::error!("the LLM API key: {e}");
                    String::new()
                });
            }
            saved
        }
        Ok(None) => defaults.clone(),
        Err(e) => {
            tracing::warn!("reading agent settings failed, using the environment's: {e}");
            defaults.clone()
        }
    }
}

/// Runs the AI's turn for `message`, a message of `visitor_id` just committed into a conversation
/// the AI may answer (the send checked `ai_may_reply` on the row it wrote to; every write of the
/// turn checks it again, so an operator joining meanwhile still wins).
pub async fn respond(
    db: &Db,
    defaults: &AgentSettings,
    replies: &AiReplies,
    visitor_id: i64,
    message: &Message,
) -> Result<(), OpError> {
    let conversation_id = message.conversation_id;
    let thread =
        db::messages::for_conversation(&db.read, conversation_id, db::messages::Audience::Visitor)
            .await?;
    let history: Vec<Turn<'_>> = thread
        .iter()
        .filter(|m| m.id < message.id)
        .map(|m| Turn::new(m.sender, &m.body))
        .collect();
    // The message's language; when nothing in it tells ("agent", "ok"), the widget's.
    let widget_lang = db::visitors::find(&db.read, visitor_id)
        .await?
        .and_then(|v| v.language)
        .and_then(|tag| Lang::from_tag(&tag))
        .unwrap_or(Lang::En);
    let lang = policy::lang::detect_or(&message.body, widget_lang);
    let mut decision = policy::decide(&history, &message.body);
    if decision == Decision::OfferBooking {
        let intro = policy::say(Say::ChooseTime, lang);
        if conversations::ai_offer_slots(db, conversation_id, intro).await? {
            return Ok(());
        }
        // Nothing to offer (bookings off, no free slot): a question like any other.
        decision = Decision::Answer;
    }
    match decision {
        Decision::Escalate(why) => {
            let gap = gap_for(why, &history, &message.body);
            hand_over(db, conversation_id, why, lang, gap).await?;
        }
        Decision::Resolve => {
            conversations::ai_resolve(db, conversation_id, policy::say(Say::Resolved, lang))
                .await?;
        }
        Decision::Greet => {
            let hello = policy::say(Say::Greeting, lang);
            reply(replies, conversation_id, hello.to_string(), Vec::new()).await?;
        }
        Decision::Acknowledge => {
            let more = policy::say(Say::AnythingElse, lang);
            reply(replies, conversation_id, more.to_string(), Vec::new()).await?;
        }
        Decision::Answer | Decision::OfferBooking => {
            // The lookup and the model take a moment: the widget says the AI is typing.
            db.bus().publish_live(
                Event::Typing {
                    conversation_id,
                    sender: Sender::Ai,
                },
                visitor_id,
            );
            let settings = current_settings(db, defaults).await;
            if let Some(endpoint) = &settings.llm
                && let Some(limit) = budget::reached(db, Some(conversation_id)).await?
            {
                budget::record_skipped(db, endpoint, Some(conversation_id), limit).await;
                let why = Handover::Budget;
                hand_over(db, conversation_id, why, lang, None).await?;
                return Ok(());
            }
            let embedding = match &settings.llm {
                Some(endpoint) => embed_question(endpoint, &message.body).await,
                None => None,
            };
            let mut sources =
                retrieval::hybrid_passages(db, &message.body, embedding.as_deref(), PASSAGES)
                    .await?;
            if sources.is_empty()
                && lang != Lang::En
                && let Some(endpoint) = &settings.llm
                && let Some(english) =
                    translate::to_english(db, endpoint, conversation_id, &message.body).await
            {
                sources = retrieval::hybrid_passages(db, &english, None, PASSAGES).await?;
            }
            if sources.is_empty() {
                let why = Handover::OutOfScope;
                let gap = gap_for(why, &history, &message.body);
                hand_over(db, conversation_id, why, lang, gap).await?;
                return Ok(());
            }
            match &settings.llm {
                None => post_passage(replies, conversation_id, &sources[0]).await?,
                Some(endpoint) => {
                    let ask = Ask {
                        conversation_id,
                        visitor_id,
                        question: &message.body,
                        history: &history,
                        lang,
                    };
                    let answering = Answering {
                        db,
                        replies,
                        endpoint,
                        instructions: &settings.instructions,
                    };
                    answer_with_llm(answering, &thread, ask, sources).await?
                }
            }
        }
    }
    Ok(())
}

/// The question's embedding when an embeddings model is configured; None (BM25 alone) when it
/// is not, or the call fails.
pub async fn embed_question(endpoint: &Endpoint, question: &str) -> Option<Vec<f32>> {
    endpoint.embeddings_model.as_ref()?;
    let limit = std::time::Duration::from_secs(endpoint.timeout_secs);
    match tokio::time::timeout(limit, Llm::new(endpoint).embed(vec![question.to_string()])).await {
        Ok(Ok(Some(mut v))) if !v.is_empty() => Some(v.swap_remove(0)),
        Ok(Err(e)) => {
            tracing::warn!("embedding the question failed, using BM25 alone: {e}");
            None
        }
        Err(_) => {
            tracing::warn!("embedding the question timed out, using BM25 alone");
            None
        }
        _ => None,
    }
}

/// The AI says `body`, through the queue of AI answers (written in batches).
async fn reply(
    replies: &AiReplies,
    conversation_id: i64,
    body: String,
    citations: Vec<Citation>,
) -> Result<(), OpError> {
    replies
        .run(AiReply {
            conversation_id,
            body,
            citations,
        })
        .await?;
    Ok(())
}

/// The built-in answer: the passage itself, citing where it came from.
async fn post_passage(
    replies: &AiReplies,
    conversation_id: i64,
    passage: &Passage,
) -> Result<(), OpError> {
    let citation = Citation {
        title: passage.title.clone(),
        url: passage.url.clone(),
    };
    reply(
        replies,
        conversation_id,
        passage.body.clone(),
        vec![citation],
    )
    .await
}

/// Where a model's answer goes and what it is asked with.
#[derive(Clone, Copy)]
struct Answering<'a> {
    db: &'a Db,
    replies: &'a AiReplies,
    endpoint: &'a Endpoint,
    instructions: &'a str,
}

/// What the model is asked about.
struct Ask<'a> {
    conversation_id: i64,
    visitor_id: i64,
    question: &'a str,
    history: &'a [Turn<'a>],
    lang: Lang,
}

async fn answer_with_llm(
    answering: Answering<'_>,
    thread: &[Message],
    ask: Ask<'_>,
    sources: Vec<Passage>,
) -> Result<(), OpError> {
    let Answering {
        db,
        replies,
        endpoint,
        instructions,
    } = answering;
    let llm = Llm::new(endpoint);
    let lines = prompt::build(instructions, &sources, thread);
    let bus = db.bus().clone();
    let (conversation_id, visitor_id) = (ask.conversation_id, ask.visitor_id);
    let finished = turn::run(
        &llm,
        lines,
        sources,
        |query| async move {
            let embedding = embed_question(endpoint, &query).await;
            retrieval::hybrid_passages(db, &query, embedding.as_deref(), PASSAGES)
                .await
                .unwrap_or_default()
        },
        |piece| {
            bus.publish_live(
                Event::AiDelta {
                    conversation_id,
                    text: piece.to_string(),
                },
                visitor_id,
            )
        },
        &AgentMeter {
            db,
            endpoint,
            conversation_id,
        },
    )
    .await;
    match finished.outcome {
        Ok(turn::Outcome::Answer(text)) => {
            let (text, citations) = prompt::cite(&text, &finished.sources);
            let cited: Vec<&Passage> = finished
                .sources
                .iter()
                .filter(|p| {
                    citations
                        .iter()
                        .any(|c| c.title == p.title && c.url == p.url)
                })
                .collect();
            let evidence = cited
                .iter()
                .map(|p| format!("{}\n{}\n{}", p.title, p.heading, p.body))
                .collect::<Vec<_>>()
                .join("\n\n");
            let unsupported = grounding::unsupported(&text, &evidence, ask.question);
            if let (false, Some(best)) = (unsupported.is_empty(), cited.first()) {
                tracing::warn!(
                    conversation = conversation_id,
                    "the answer states what its sources do not ({unsupported:?}): the passage \
                     goes instead"
                );
                record_event(db, endpoint, Some(conversation_id), db::usage::UNGROUNDED).await;
                return post_passage(replies, conversation_id, best).await;
            }
            let text: String = text
                .chars()
                .take(liaison_protocol::message::MAX_BODY_CHARS)
                .collect();
            reply(replies, conversation_id, text, citations).await?;
        }
        Ok(turn::Outcome::Escalate { reason }) => {
            let why = model_handover(&reason);
            let gap = gap_for(why, ask.history, ask.question);
            hand_over(db, conversation_id, why, ask.lang, gap).await?;
        }
        Ok(turn::Outcome::Resolve { text }) => {
            let text = if text.trim().is_empty() {
                policy::say(Say::Resolved, ask.lang).to_string()
            } else {
                text
            };
            conversations::ai_resolve(db, conversation_id, &text).await?;
        }
        Err(turn::TurnError::OverBudget) => {
            let why = Handover::Budget;
            hand_over(db, conversation_id, why, ask.lang, None).await?;
        }
        Err(e) => {
            tracing::warn!(
                conversation = conversation_id,
                "LLM answer failed, using the built-in answer: {e}"
            );
            match finished.sources.first() {
                Some(passage) => post_passage(replies, conversation_id, passage).await?,
                None => {
                    let why = Handover::Error;
                    hand_over(db, conversation_id, why, ask.lang, None).await?;
                }
            }
        }
    }
    Ok(())
}

/// The AI hands the conversation over for `why`, saying so in `lang`.
async fn hand_over(
    db: &Db,
    conversation_id: i64,
    why: Handover,
    lang: Lang,
    gap: Option<Gap<'_>>,
) -> Result<(), OpError> {
    conversations::ai_escalate(db, conversation_id, why.kind(), why.message(lang), gap).await?;
    Ok(())
}

/// The agent's calls in one turn: each recorded as it ends, the budget read before each.
struct AgentMeter<'a> {
    db: &'a Db,
    endpoint: &'a Endpoint,
    conversation_id: i64,
}

impl turn::Meter for AgentMeter<'_> {
    async fn spent(&self, usage: &[llm::client::CompletionUsage]) {
        record_usage(
            self.db,
            self.endpoint,
            Some(self.conversation_id),
            "agent",
            usage,
        )
        .await;
    }

    async fn may_call(&self) -> bool {
        match budget::reached(self.db, Some(self.conversation_id)).await {
            Ok(None) => true,
            Ok(Some(limit)) => {
                budget::record_skipped(self.db, self.endpoint, Some(self.conversation_id), limit)
                    .await;
                false
            }
            // The budget could not be read: no call, as with a spent one (the visitor is
            // handed over, not left unanswered).
            Err(e) => {
                tracing::warn!("reading the AI budget failed: {e}");
                false
            }
        }
    }
}

/// Something the Owner should see in AI usage that is not a call (an answer replaced by its
/// passage, a call skipped for the budget): a row without tokens, left out of the call totals.
pub async fn record_event(
    db: &Db,
    endpoint: &Endpoint,
    conversation_id: Option<i64>,
    purpose: &str,
) {
    let none = llm::client::CompletionUsage {
        prompt_tokens: 0,
        completion_tokens: 0,
        total_tokens: 0,
        prompt_tokens_details: None,
        completion_tokens_details: None,
    };
    record_usage(db, endpoint, conversation_id, purpose, &[none]).await;
}

/// Reads the reason the model gave for a handover.
pub fn model_handover(reason: &str) -> Handover {
    let r = reason.to_lowercase();
    if r.contains("request") || r.contains("asked") || r.contains("human") || r.contains("person") {
        Handover::Requested
    } else if r.contains("frustrat") || r.contains("upset") || r.contains("angry") {
        Handover::Frustrated(Frustration::Insult)
    } else {
        // "out_of_scope", or anything else: the model could not answer from the passages.
        Handover::OutOfScope
    }
}

/// Stores what the calls used, priced at the endpoint's rates. A failure to record is logged,
/// not passed on: the visitor's answer matters more than the bookkeeping.
pub async fn record_usage(
    db: &Db,
    endpoint: &Endpoint,
    conversation_id: Option<i64>,
    purpose: &str,
    usage: &[llm::client::CompletionUsage],
) {
    if usage.is_empty() {
        return;
    }
    let result = async {
        let mut tx = db.write().await?;
        for u in usage {
            db::usage::record(
                tx.conn(),
                db::usage::NewUsage {
                    conversation_id,
                    purpose,
                    model: &endpoint.model,
                    prompt_tokens: u.prompt_tokens,
                    completion_tokens: u.completion_tokens,
                    cost_micro_usd: endpoint.cost_micro_usd(u.prompt_tokens, u.completion_tokens),
                },
            )
            .await?;
        }
        tx.commit().await
    }
    .await;
    if let Err(e) = result {
        tracing::warn!("recording LLM usage failed: {e}");
    }
}

/// The knowledge gap a handover reveals: the question itself when it is out of scope; the
/// question the AI failed on when its answers did not help.
pub fn gap_for<'a>(why: Handover, history: &[Turn<'a>], message: &'a str) -> Option<Gap<'a>> {
    match why {
        Handover::OutOfScope => Some(Gap {
            question: message,
            reason: GapReason::OutOfScope,
        }),
        Handover::Frustrated(Frustration::AiFailedTwice | Frustration::RepeatedQuestion) => {
            let question = history
                .iter()
                .find(|t| t.sender == Sender::Customer)
                .map_or(message, |t| t.body);
            Some(Gap {
                question,
                reason: GapReason::NoGoodAnswer,
            })
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_models_reasons() {
        assert_eq!(model_handover("out_of_scope"), Handover::OutOfScope);
        assert_eq!(model_handover(""), Handover::OutOfScope);
        assert_eq!(
            model_handover("Customer requested a human"),
            Handover::Requested
        );
        assert!(matches!(
            model_handover("customer is upset"),
            Handover::Frustrated(_)
        ));
    }
}
