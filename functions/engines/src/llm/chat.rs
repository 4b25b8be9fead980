//! One call to the model, done properly: a reply held to the schema of the
//! type it is read into (strict structured outputs, or JSON mode and our
//! own validation), one repair turn that shows the model what was wrong,
//! bounded concurrency, retries (see `retry`), usage metered onto the
//! running stage, and replies already paid for served from the cache.

use std::sync::Arc;

use async_openai::Client;
use async_openai::config::OpenAIConfig;
use async_openai::error::OpenAIError;
use async_openai::types::chat::{
    ChatCompletionRequestAssistantMessage, ChatCompletionRequestMessage,
    ChatCompletionRequestSystemMessage, ChatCompletionRequestUserMessage,
    CreateChatCompletionRequest, FinishReason, ResponseFormat, ResponseFormatJsonSchema,
};
use coursegen_core::metering;
use coursegen_core::options::Options;
use coursegen_core::ports::{ArtifactStore, EngineError};
use coursegen_core::stage::Stage;
use schemars::JsonSchema;
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use tokio::sync::Semaphore;

use super::cache::{Cache, address};
use super::config::{LlmConfig, Structured};
use super::prompts;
use super::retry::Retrying;
use super::schema;

/// Fresh requests for one answer before the step gives up (each may take
/// one repair turn): the workflow retries the step later.
const ANSWER_ATTEMPTS: usize = 2;
/// Replies whose envelope is not JSON, tried again at once.
const ENVELOPE_ATTEMPTS: usize = 3;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    System,
    User,
    Assistant,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Message {
    pub role: Role,
    pub content: String,
}

impl Message {
    pub fn system(content: impl Into<String>) -> Self {
        Message {
            role: Role::System,
            content: content.into(),
        }
    }
    pub fn user(content: impl Into<String>) -> Self {
        Message {
            role: Role::User,
            content: content.into(),
        }
    }
    fn assistant(content: impl Into<String>) -> Self {
        Message {
            role: Role::Assistant,
            content: content.into(),
        }
    }
}

/// The completion tokens a task's reply may take: generous for a capable
/// model, but a bound on one that never closes its JSON (a small local
/// model can otherwise run on to the end of its context).
pub fn budget(task: &str) -> u32 {
    match task {
        "verdict" => 400,
        "replacements" | "notes" => 3_000,
        "plan" | "outline" | "topic_outline" => 4_000,
        "lesson" | "assessment" => 6_000,
        "chapter" => 8_000,
        _ => 4_000,
    }
}

/// A completion's text, and whether the token budget cut it short.
struct Reply {
    text: String,
    cut: bool,
}

/// Everything that decides a reply; its hash is the cache address.
#[derive(Debug, Serialize)]
struct Request<'a> {
    model: &'a str,
    /// The reply's schema name: what is asked for (`lesson`, `plan`, …).
    task: &'a str,
    schema: &'a Value,
    structured: bool,
    messages: &'a [Message],
}

/// An accepted reply.
#[derive(Debug)]
pub struct Answer<T> {
    pub value: T,
    /// Where the reply is cached (not if the engine mended it): a caller
    /// that finds the reply unusable after all forgets it there.
    pub cached_at: Option<String>,
}

pub struct Chat {
    client: Client<OpenAIConfig>,
    config: LlmConfig,
    permits: Semaphore,
    cache: Cache,
}

impl std::fmt::Debug for Chat {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Chat")
            .field("config", &self.config)
            .finish_non_exhaustive()
    }
}

impl Chat {
    pub fn new(config: LlmConfig, store: Arc<dyn ArtifactStore>) -> Result<Self, String> {
        let mut openai = OpenAIConfig::new().with_api_base(config.base_url.clone());
        if let Some(key) = &config.api_key {
            openai = openai.with_api_key(key.clone());
        }
        let http = reqwest::Client::builder()
            .build()
            .map_err(|e| format!("cannot build the HTTP client: {e}"))?;
        let client =
            Client::with_config(openai).with_http_service(Retrying::new(http, config.retry));
        Ok(Chat {
            client,
            permits: Semaphore::new(config.concurrency),
            cache: Cache::new(store),
            config,
        })
    }

    pub fn cache(&self) -> &Cache {
        &self.cache
    }

    /// Drops a cached reply that passed its schema but proved unusable, so
    /// that the step's retry asks the model again.
    pub async fn forget(&self, cached_at: Option<&str>) {
        if let Some(at) = cached_at {
            self.cache.forget("replies", at).await;
        }
    }

    /// Asks `stage`'s model for a `T`: `check` lists what is wrong with a
    /// reply that parses (empty: accepted). A reply that does not parse or
    /// check gets one repair turn; then a fresh attempt. A reply to the same
    /// request is reused unless the job's options ask for `fresh` ones.
    pub async fn ask<T>(
        &self,
        stage: Stage,
        options: &Options,
        task: &str,
        messages: Vec<Message>,
        check: impl Fn(&T) -> Vec<String>,
    ) -> Result<Answer<T>, EngineError>
    where
        T: DeserializeOwned + JsonSchema,
    {
        self.ask_or_mend(stage, options, task, messages, check, |_| None)
            .await
    }

    /// [`Chat::ask`], with a last resort for structure a program can put
    /// right (a weak model's plan): when every reply that parsed failed
    /// `check`, the last of them as `mend` fixes it (`None`: it cannot).
    pub async fn ask_or_mend<T>(
        &self,
        stage: Stage,
        options: &Options,
        task: &str,
        messages: Vec<Message>,
        check: impl Fn(&T) -> Vec<String>,
        mend: impl FnOnce(T) -> Option<T>,
    ) -> Result<Answer<T>, EngineError>
    where
        T: DeserializeOwned + JsonSchema,
    {
        let model = self.config.model_for(stage, options);
        let mut schema = schema::strict::<T>();
        if self.config.structured == Structured::Bounded {
            schema::bound(&mut schema);
        }
        let structured = self.config.structured != Structured::JsonMode;
        let mut messages = messages;
        if !structured {
            // JSON mode: the schema travels in the instructions.
            messages.insert(
                0,
                Message::system(prompts::render(
                    prompts::JSON_MODE,
                    &[("schema", &schema.to_string())],
                )),
            );
        }
        let request = Request {
            model,
            task,
            schema: &schema,
            structured,
            messages: &messages,
        };
        let at = address(&request);
        if !options.fresh
            && let Some(bytes) = self.cache.get("replies", &at).await
            && let Ok(text) = String::from_utf8(bytes)
            && let Ok(value) = read(&text, &check)
        {
            return Ok(answer(value, Some(at)));
        }
        let mut problems = Vec::new();
        // The last reply that parsed but failed its check, for `mend`.
        let mut parsed = None;
        for _ in 0..ANSWER_ATTEMPTS {
            let reply = self.complete(&request).await?;
            let reply = match read(&reply.text, &check) {
                Ok(value) => return Ok(self.accept(&at, value, reply.text).await),
                Err((value, found)) => {
                    if let Some(value) = value {
                        parsed = Some(value);
                    }
                    tracing::info!(
                        task,
                        problems = found.len(),
                        cut = reply.cut,
                        "repairing a model reply"
                    );
                    tracing::debug!(task, reply = %reply.text, problems = ?found, "the reply repaired");
                    let repair = if reply.cut {
                        // Not sent back: a cut reply is no JSON to mend, and
                        // beside the request and a full budget it may not
                        // fit a small model's context. One user turn, as
                        // some chat templates want turns to alternate.
                        let limit = self.budget(task).to_string();
                        let mut again = messages.clone();
                        if let Some(last) = again.last_mut() {
                            last.content.push_str("\n\n");
                            last.content
                                .push_str(&prompts::render(prompts::BRIEFER, &[("limit", &limit)]));
                        }
                        again
                    } else {
                        let mut repair = messages.clone();
                        repair.push(Message::assistant(reply.text));
                        repair.push(Message::user(prompts::render(
                            prompts::REPAIR,
                            &[("problems", &bullets(&found))],
                        )));
                        repair
                    };
                    let request = Request {
                        messages: &repair,
                        ..request
                    };
                    self.complete(&request).await?
                }
            };
            match read(&reply.text, &check) {
                Ok(value) => return Ok(self.accept(&at, value, reply.text).await),
                Err((value, found)) => {
                    if let Some(value) = value {
                        parsed = Some(value);
                    }
                    problems = found;
                }
            }
        }
        if let Some(value) = parsed
            && let Some(mended) = mend(value)
        {
            // Not cached: a later run asks the model again.
            tracing::warn!(task, problems = %problems.join("; "), "the model's reply was put right by the engine");
            return Ok(answer(mended, None));
        }
        Err(EngineError::Unavailable(format!(
            "the model's {task} replies did not validate, even after a repair turn: {}",
            problems.join("; ")
        )))
    }

    async fn accept<T>(&self, at: &str, value: T, reply: String) -> Answer<T> {
        self.cache.put("replies", at, reply.into_bytes()).await;
        answer(value, Some(at.to_owned()))
    }

    /// The completion tokens `task` may take here: its budget, within the
    /// configured cap.
    fn budget(&self, task: &str) -> u32 {
        let own = budget(task);
        self.config.max_tokens.map_or(own, |cap| own.min(cap))
    }

    /// One completion: the reply's text, its usage metered.
    async fn complete(&self, request: &Request<'_>) -> Result<Reply, EngineError> {
        let body = self.body(request);
        let _permit = self
            .permits
            .acquire()
            .await
            .map_err(|_| EngineError::Unavailable("the LLM client is shutting down".into()))?;
        let mut last = String::new();
        for _ in 0..ENVELOPE_ATTEMPTS {
            match self.client.chat().create(body.clone()).await {
                Ok(response) => {
                    if let Some(usage) = &response.usage {
                        metering::record(self.config.price.usage(
                            u64::from(usage.prompt_tokens),
                            u64::from(usage.completion_tokens),
                        ));
                    }
                    let Some(choice) = response.choices.into_iter().next() else {
                        return Ok(Reply {
                            text: String::new(),
                            cut: false,
                        });
                    };
                    let text = match (choice.message.content, choice.message.refusal) {
                        (Some(text), _) => text,
                        (None, Some(refusal)) => format!("(refused: {refusal})"),
                        (None, None) => String::new(),
                    };
                    let cut = choice.finish_reason == Some(FinishReason::Length);
                    return Ok(Reply { text, cut });
                }
                Err(OpenAIError::JSONDeserialize(e, _)) => {
                    last = format!("its answer was not a chat completion: {e}");
                    tracing::info!(error = %e, "the model server's answer was not JSON; asking again");
                }
                Err(e) => return Err(refusal(e)),
            }
        }
        Err(EngineError::Unavailable(format!(
            "the model server failed: {last}"
        )))
    }

    fn body(&self, request: &Request<'_>) -> CreateChatCompletionRequest {
        let messages = request
            .messages
            .iter()
            .map(|m| match m.role {
                Role::System => ChatCompletionRequestMessage::System(
                    ChatCompletionRequestSystemMessage::from(m.content.as_str()),
                ),
                Role::User => ChatCompletionRequestMessage::User(
                    ChatCompletionRequestUserMessage::from(m.content.as_str()),
                ),
                Role::Assistant => {
                    ChatCompletionRequestMessage::Assistant(ChatCompletionRequestAssistantMessage {
                        content: Some(m.content.clone().into()),
                        ..Default::default()
                    })
                }
            })
            .collect();
        let response_format = if request.structured {
            ResponseFormat::JsonSchema {
                json_schema: ResponseFormatJsonSchema {
                    description: None,
                    name: request.task.to_owned(),
                    schema: request.schema.clone(),
                    strict: Some(true),
                },
            }
        } else {
            ResponseFormat::JsonObject
        };
        CreateChatCompletionRequest {
            model: request.model.to_owned(),
            messages,
            response_format: Some(response_format),
            // The current name of the limit; llama.cpp, vLLM and OpenAI
            // all read it (`max_tokens` is deprecated).
            max_completion_tokens: Some(self.budget(request.task)),
            temperature: Some(0.2),
            ..Default::default()
        }
    }
}

fn answer<T>(value: T, cached_at: Option<String>) -> Answer<T> {
    Answer { value, cached_at }
}

/// The reply as a `T` that passes `check`, or what is wrong with it (and
/// the `T`, if it parsed).
fn read<T: DeserializeOwned>(
    reply: &str,
    check: &impl Fn(&T) -> Vec<String>,
) -> Result<T, (Option<T>, Vec<String>)> {
    let json = strip_fence(reply);
    let value: T = serde_json::from_str(json).map_err(|e| {
        (
            None,
            vec![format!("the reply is not valid JSON of the schema: {e}")],
        )
    })?;
    let problems = check(&value);
    if problems.is_empty() {
        Ok(value)
    } else {
        Err((Some(value), problems))
    }
}

/// Models in JSON mode sometimes wrap the object in a Markdown fence.
fn strip_fence(reply: &str) -> &str {
    let t = reply.trim();
    match t.strip_prefix("```") {
        Some(rest) => {
            let rest = rest.trim_start_matches("json");
            rest.strip_suffix("```").unwrap_or(rest).trim()
        }
        None => t,
    }
}

fn bullets(lines: &[String]) -> String {
    lines
        .iter()
        .map(|l| format!("- {l}"))
        .collect::<Vec<_>>()
        .join("\n")
}

/// What an error the retries did not cure means for the step.
fn refusal(e: OpenAIError) -> EngineError {
    match e {
        OpenAIError::ApiError(api) => {
            let status = api.status_code;
            let said = &api.api_error.message;
            if status == 401 || status == 403 {
                EngineError::Unsupported(format!(
                    "the model server refused our key ({status}): {said}"
                ))
            } else if status.is_client_error() && status != 429 && status != 408 {
                EngineError::Invalid(format!(
                    "the model server refused the request ({status}): {said}"
                ))
            } else {
                EngineError::Unavailable(format!("the model server answered {status}: {said}"))
            }
        }
        other => EngineError::Unavailable(format!("the model server cannot be reached: {other}")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fenced_replies_are_read() {
        assert_eq!(strip_fence("```json\n{\"a\":1}\n```"), "{\"a\":1}");
        assert_eq!(strip_fence(" {\"a\":1} "), "{\"a\":1}");
    }

    #[test]
    fn a_reply_is_read_and_checked() {
        let check = |v: &Vec<u32>| {
            if v.is_empty() {
                vec!["must not be empty".to_owned()]
            } else {
                Vec::new()
            }
        };
        assert_eq!(read::<Vec<u32>>("[1,2]", &check), Ok(vec![1, 2]));
        assert_eq!(
            read::<Vec<u32>>("[]", &check),
            Err((Some(vec![]), vec!["must not be empty".to_owned()]))
        );
        let (parsed, e) = read::<Vec<u32>>("{oops", &check).unwrap_err();
        assert!(parsed.is_none());
        assert!(e[0].starts_with("the reply is not valid JSON"), "{e:?}");
    }
}
