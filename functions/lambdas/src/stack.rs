//! The AWS adapters behind the ports, built once per cold start from the
//! standard AWS configuration (region, credentials and `AWS_ENDPOINT_URL*`
//! overrides, so the same binaries run against an emulator).

use std::sync::Arc;

use std::time::Duration;

use aws_config::BehaviorVersion;
use coursegen_aws::{DynamoStore, S3ArtifactStore, S3FileLinks, S3Uploads, StepFunctionsWorkflow};
use coursegen_core::ai_protocol::signature::Secret;
use coursegen_core::artifact::MAX_ARTIFACT_BYTES;
use coursegen_core::pipeline::{AiServer, Steps};
use coursegen_core::service::Service;
use coursegen_core::upload::UploadQuota;
use coursegen_engines::ai_server::{AiServerClient, ClientSettings};
use coursegen_engines::llm::LlmConfig;
use coursegen_engines::offline::offline_steps;
use coursegen_engines::router;
use coursegen_http::state::never_stopping;
use coursegen_http::{ApiState, Authenticator, Webhooks};

use crate::config::{Config, optional};

#[derive(Debug, Clone)]
pub struct Stack {
    pub sdk: aws_config::SdkConfig,
    pub store: Arc<DynamoStore>,
    pub artifacts: Arc<S3ArtifactStore>,
    pub steps: Arc<Steps>,
}

/// The S3 client, by path or by subdomain as configured.
pub fn s3_client(config: &Config, sdk: &aws_config::SdkConfig) -> aws_sdk_s3::Client {
    let config = aws_sdk_s3::config::Builder::from(sdk)
        .force_path_style(config.s3_path_style)
        .build();
    aws_sdk_s3::Client::from_conf(config)
}

impl Stack {
    /// The adapters over `sdk`'s clients, and the pipeline steps on them.
    pub fn new(config: &Config, sdk: aws_config::SdkConfig) -> Self {
        let store = Arc::new(DynamoStore::new(
            aws_sdk_dynamodb::Client::new(&sdk),
            config.table.clone(),
        ));
        let artifacts = Arc::new(S3ArtifactStore::new(
            s3_client(config, &sdk),
            config.bucket.clone(),
            MAX_ARTIFACT_BYTES,
        ));
        let steps = Arc::new(Steps {
            // Jobs may choose the LLM when one is configured; only the
            // content steps build its client (`with_llm`).
            llm: config.llm,
            ..offline_steps(store.clone(), artifacts.clone(), store.clone())
        });
        Stack {
            sdk,
            store,
            artifacts,
            steps,
        }
    }

    /// What the HTTP functions' routes read: the service over Step
    /// Functions (`state_machine`), S3 upload URLs, callers known by
    /// `auth`. Each request may land on another instance, so there is no
    /// change feed: event streams read the table, for at most `max_stream`.
    /// `webhooks` is `None` for the functions that do not take webhooks
    /// (every delivery refused; they link no file fetcher).
    pub fn api_state(
        &self,
        config: &Config,
        state_machine: String,
        auth: Arc<dyn Authenticator>,
        max_stream: Duration,
        webhooks: Option<Webhooks>,
    ) -> ApiState {
        let workflow =
            StepFunctionsWorkflow::new(aws_sdk_sfn::Client::new(&self.sdk), state_machine);
        ApiState {
            service: Service {
                steps: self.steps.clone(),
                workflow: Arc::new(workflow),
                quota: UploadQuota::from_lookup(optional).unwrap_or_else(|e| {
                    tracing::warn!("{e}; the default upload quota applies");
                    UploadQuota::default()
                }),
            },
            auth,
            uploads: Arc::new(S3Uploads::new(
                s3_client(config, &self.sdk),
                config.bucket.clone(),
            )),
            changes: None,
            stopping: never_stopping(),
            max_stream: Some(max_stream),
            webhooks,
            studio: None,
            downloads: Some(Arc::new(S3FileLinks::new(
                s3_client(config, &self.sdk),
                config.bucket.clone(),
            ))),
        }
    }

    /// The same stack sending work to the AI server of
    /// `COURSEGEN_AI_SERVER_URL`, if set, which reads our inputs through
    /// pre-signed S3 links; our calls are signed with `secret` (the
    /// webhook secret). Only the functions that talk to the server call
    /// this, so only they link its client.
    pub fn with_ai_server(mut self, config: &Config, secret: Option<Secret>) -> Self {
        if let Some(url) = &config.ai_server_url {
            let mut steps = (*self.steps).clone();
            let client = AiServerClient::new(url, ClientSettings::default()).signed_with(secret);
            steps.ai_server = Some(AiServer {
                worker: Arc::new(client),
                links: Arc::new(S3FileLinks::new(
                    s3_client(config, &self.sdk),
                    config.bucket.clone(),
                )),
            });
            self.steps = Arc::new(steps);
        }
        self
    }

    /// The same stack writing the packages jobs ask for (functions/exports).
    /// Only the export function calls this, so only it links the writers.
    pub fn with_exporter(mut self) -> Self {
        let mut steps = (*self.steps).clone();
        steps.exporter = Some(Arc::new(coursegen_exports::Exports));
        self.steps = Arc::new(steps);
        self
    }

    /// The same stack with the LLM of the environment behind the content
    /// ports where jobs choose it: `OPENAI_BASE_URL`, `COURSEGEN_LLM_MODEL`
    /// and the key read from `COURSEGEN_LLM_KEY_SECRET_ARN`. Only the
    /// content steps call this, so only they link the LLM client.
    pub async fn with_llm(self, config: &Config) -> Result<Self, crate::Error> {
        self.with_llm_from(config, optional).await
    }

    /// [`Stack::with_llm`] with the variables of `var`.
    pub async fn with_llm_from(
        mut self,
        config: &Config,
        var: impl Fn(&str) -> Option<String>,
    ) -> Result<Self, crate::Error> {
        let key = match &config.llm_key_secret_arn {
            Some(arn) => crate::secrets::read(&self.sdk, arn, "LLM API key").await?,
            None => None,
        };
        let llm = LlmConfig::from_lookup(|name| match name {
            "OPENAI_API_KEY" => key.clone().or_else(|| var(name)),
            _ => var(name),
        })?;
        if llm.is_some() {
            let steps = router::steps(
                self.store.clone(),
                self.artifacts.clone(),
                self.store.clone(),
                llm,
            )?;
            self.steps = Arc::new(Steps {
                ai_server: self.steps.ai_server.clone(),
                ..steps
            });
        }
        Ok(self)
    }

    /// The same stack rendering lesson videos: ffmpeg, DejaVu slides and
    /// the speaker of `COURSEGEN_SPEECH*` (coursegen_media::speech). An
    /// OpenAI-compatible speaker is keyed with the LLM's key
    /// (`COURSEGEN_LLM_KEY_SECRET_ARN`), never a key in plain env. Only the
    /// video function calls this, so only it links the media toolkit.
    #[cfg(feature = "video")]
    pub async fn with_renderer(mut self, config: &Config) -> Result<Self, crate::Error> {
        use coursegen_media::{LessonRenderer, ResvgSlides, encoder::Ffmpeg, speech};
        let openai =
            optional("COURSEGEN_SPEECH").is_some_and(|s| s.trim().eq_ignore_ascii_case("openai"));
        let key = match &config.llm_key_secret_arn {
            Some(arn) if openai => crate::secrets::read(&self.sdk, arn, "LLM API key").await?,
            _ => None,
        };
        let speaker = speech::speaker_from(|name| match name {
            "COURSEGEN_SPEECH_API_KEY" => optional(name).or_else(|| key.clone()),
            _ => optional(name),
        })?;
        let mut steps = (*self.steps).clone();
        steps.renderer = Some(Arc::new(LessonRenderer {
            speaker,
            slides: Arc::new(ResvgSlides::new()?),
            encoder: Arc::new(Ffmpeg::default()),
        }));
        self.steps = Arc::new(steps);
        Ok(self)
    }

    /// The same stack drawing, animating and filming script jobs' frames
    /// (coursegen_media::visuals): the speaker as for lesson videos, and
    /// the providers of `COURSEGEN_IMAGES_*`, `COURSEGEN_RUNWAY_*` and
    /// `COURSEGEN_LUMA_*`. Their keys come from Secrets Manager, never
    /// plain env: the images endpoint's is the LLM's
    /// (`COURSEGEN_LLM_KEY_SECRET_ARN`), the clip provider's
    /// `COURSEGEN_CLIPS_KEY_SECRET_ARN` — each read only by the function
    /// that `secrets` says needs it (and may). Clips and films are worked
    /// on in /tmp, the one place a Lambda may write.
    #[cfg(feature = "video")]
    pub async fn with_visuals(
        mut self,
        config: &Config,
        secrets: VisualSecrets,
    ) -> Result<Self, crate::Error> {
        use coursegen_core::generation::PollPolicy;
        use coursegen_media::visuals::StoryboardMedia;
        let llm_key = match &config.llm_key_secret_arn {
            Some(arn) if secrets.llm => crate::secrets::read(&self.sdk, arn, "LLM API key").await?,
            _ => None,
        };
        let clips_key = match optional("COURSEGEN_CLIPS_KEY_SECRET_ARN") {
            Some(arn) if secrets.clips => {
                crate::secrets::read(&self.sdk, &arn, "clip provider key").await?
            }
            _ => None,
        };
        let get = |name: &str| match name {
            "COURSEGEN_IMAGES_API_KEY" | "COURSEGEN_SPEECH_API_KEY" => {
                optional(name).or_else(|| llm_key.clone())
            }
            "COURSEGEN_RUNWAY_API_KEY" | "COURSEGEN_LUMA_API_KEY" => {
                optional(name).or_else(|| clips_key.clone())
            }
            _ => optional(name),
        };
        let speaker = coursegen_media::speech::speaker_from(get)?;
        let media = StoryboardMedia::from(get, speaker, std::path::Path::new("/tmp/coursegen"))?;
        let mut steps = (*self.steps).clone();
        steps.visuals = Some(Arc::new(media));
        steps.clip_polling = PollPolicy::from_lookup(get).map_err(crate::Error::from)?;
        self.steps = Arc::new(steps);
        Ok(self)
    }

    /// From the function's environment.
    pub async fn from_env(config: &Config) -> Self {
        let sdk = aws_config::load_defaults(BehaviorVersion::latest()).await;
        Self::new(config, sdk)
    }
}

/// Which secrets a script job's media function reads at cold start.
#[cfg(feature = "video")]
#[derive(Debug, Clone, Copy, Default)]
pub struct VisualSecrets {
    /// The LLM's key: an OpenAI-compatible images endpoint's or voice's.
    pub llm: bool,
    /// The clip provider's key.
    pub clips: bool,
}
