//! The embedded stack, wired once for every command that runs jobs: SQLite
//! (announcing each change), artifacts on disk, the offline engine (and the
//! LLM of the environment, if one is configured) behind the pipeline steps,
//! and the workflow host driving the one definition.

use std::sync::Arc;

use coursegen_core::ai_protocol::signature::WebhookAuth;
use coursegen_core::ports::{DeliveryLog, Transcriber, VideoRenderer, Visuals};
use coursegen_media::visuals::StoryboardMedia;

use anyhow::Context;
use coursegen_core::generation::PollPolicy;
use coursegen_core::pipeline::{AiServer, Ingestor, Steps};
use coursegen_core::ports::Committed;
use coursegen_core::service::Service;
use coursegen_core::upload::UploadQuota;
use coursegen_engines::ai_server::{
    AiServerClient, AllowedHosts, ClientSettings, FILE_HOSTS_VAR, HttpFiles,
};
use coursegen_engines::ingest::YoutubeIngestor;
use coursegen_engines::ingest::youtube::YtDlp;
use coursegen_engines::llm::LlmConfig;
use coursegen_engines::router;
use coursegen_http::{ApiState, Bearer, SignIns, Studio, Webhooks};
use coursegen_local::DataDir;
use coursegen_local::changes::Broadcasting;
use coursegen_local::dev_auth::JwtSecret;
use coursegen_local::file_links::LocalFileLinks;
use coursegen_local::uploads::LocalUploads;
use coursegen_local::workflow::{InProcess, LocalWorkflow, STEP_TIME_LIMIT, course_machine};
use tokio::sync::broadcast;

#[derive(Debug, Clone)]
pub struct Embedded {
    pub steps: Arc<Steps>,
    pub workflow: Arc<LocalWorkflow>,
    pub service: Service,
    /// Each committed change of a job, announced.
    pub changes: broadcast::Sender<Committed>,
    /// Where webhook deliveries are recorded (the job store's database).
    pub deliveries: Arc<dyn DeliveryLog>,
}

impl Embedded {
    /// The stack with no AI server and no speech-to-text.
    pub fn open(data: &DataDir) -> anyhow::Result<Self> {
        Self::open_with(data, None, None)
    }

    /// The stack, sending work to `ai_server` and to the LLM of the
    /// environment (`OPENAI_BASE_URL`, `OPENAI_API_KEY`, …) where jobs
    /// choose them, and recordings to `transcriber`.
    pub fn open_with(
        data: &DataDir,
        ai_server: Option<AiServer>,
        transcriber: Option<Arc<dyn Transcriber>>,
    ) -> anyhow::Result<Self> {
        let store = Arc::new(data.open_store().context("cannot open the job store")?);
        let artifacts = Arc::new(
            data.open_artifacts()
                .context("cannot open the artifact store")?,
        );
        let jobs = Broadcasting::new(store.clone());
        let changes = jobs.changes();
        let llm = LlmConfig::from_env().map_err(anyhow::Error::msg)?;
        let steps = router::steps(Arc::new(jobs), artifacts, store.clone(), llm)
            .map_err(anyhow::Error::msg)?;
        let renderer: Option<Arc<dyn VideoRenderer>> = match coursegen_media::renderer_from_env() {
            Ok(renderer) => Some(Arc::new(renderer)),
            Err(e) => {
                tracing::warn!("lesson videos cannot be rendered here: {e}");
                None
            }
        };
        let visuals = coursegen_media::speech::speaker_from_env().and_then(|speaker| {
            let get = |name: &str| std::env::var(name).ok();
            StoryboardMedia::from(get, speaker, &data.root().join("media"))
        });
        let visuals: Option<Arc<dyn Visuals>> = match visuals {
            Ok(media) => Some(Arc::new(media)),
            Err(e) => {
                tracing::warn!("storyboards cannot be drawn or filmed here: {e}");
                None
            }
        };
        let clip_polling =
            PollPolicy::from_lookup(|name| std::env::var(name).ok()).map_err(anyhow::Error::msg)?;
        // YouTube videos through yt-dlp when it is here; recordings, and
        // videos without captions, through `transcriber`.
        let ingestor: Arc<dyn Ingestor> =
            Arc::new(YoutubeIngestor::new(YtDlp::from_env(), transcriber));
        let steps = Arc::new(Steps {
            ingestor,
            ai_server,
            renderer,
            visuals,
            clip_polling,
            exporter: Some(Arc::new(coursegen_exports::Exports)),
            ..steps
        });
        let workflow = Arc::new(LocalWorkflow::new(
            Arc::new(course_machine()?),
            Arc::new(InProcess::new(steps.clone()).with_time_limit(step_time_limit()?)),
            store.clone(),
        ));
        let service = Service {
            steps: steps.clone(),
            workflow: workflow.clone(),
            quota: UploadQuota::from_lookup(|name| std::env::var(name).ok())
                .map_err(anyhow::Error::msg)?,
        };
        Ok(Embedded {
            steps,
            workflow,
            service,
            changes,
            deliveries: store,
        })
    }
}

/// How long a step may run: `$COURSEGEN_STEP_TIMEOUT_S`, else an hour.
fn step_time_limit() -> anyhow::Result<std::time::Duration> {
    match std::env::var("COURSEGEN_STEP_TIMEOUT_S") {
        Err(_) => Ok(STEP_TIME_LIMIT),
        Ok(s) => s
            .trim()
            .parse::<u64>()
            .ok()
            .filter(|&n| n > 0)
            .map(std::time::Duration::from_secs)
            .ok_or_else(|| {
                anyhow::anyhow!("COURSEGEN_STEP_TIMEOUT_S {s:?} is not a whole number of seconds")
            }),
    }
}

/// How AI server webhooks are checked: `$COURSEGEN_WEBHOOK_SECRET` (none:
/// every webhook refused) and `$COURSEGEN_WEBHOOK_COMPAT`.
pub fn webhook_auth() -> anyhow::Result<WebhookAuth> {
    let compat = std::env::var("COURSEGEN_WEBHOOK_COMPAT").ok();
    WebhookAuth::from_config(
        std::env::var("COURSEGEN_WEBHOOK_SECRET").ok(),
        compat.as_deref(),
    )
    .map_err(anyhow::Error::msg)
}

/// `$COURSEGEN_AI_SERVER_URL`, if set.
fn ai_server_url() -> anyhow::Result<Option<String>> {
    let Some(url) = std::env::var("COURSEGEN_AI_SERVER_URL")
        .ok()
        .filter(|u| !u.is_empty())
    else {
        return Ok(None);
    };
    if reqwest::Url::parse(&url).map_or(true, |u| !matches!(u.scheme(), "http" | "https")) {
        anyhow::bail!("COURSEGEN_AI_SERVER_URL {url:?} is not an http(s) URL");
    }
    Ok(Some(url))
}

/// The AI server of `$COURSEGEN_AI_SERVER_URL`, if set, reading our files
/// through links to `base_url` signed with `secret`; our calls are signed
/// with the webhook secret, if there is one.
pub fn ai_server(base_url: &str, secret: JwtSecret) -> anyhow::Result<Option<AiServer>> {
    let Some(url) = ai_server_url()? else {
        return Ok(None);
    };
    let client = AiServerClient::new(&url, ClientSettings::default())
        .signed_with(webhook_auth()?.secret().cloned());
    Ok(Some(AiServer {
        worker: Arc::new(client),
        links: Arc::new(LocalFileLinks {
            base_url: base_url.to_owned(),
            secret,
        }),
    }))
}

/// The token secret: `$COURSEGEN_JWT_SECRET`, else the data directory's.
pub fn jwt_secret(data: &DataDir) -> anyhow::Result<JwtSecret> {
    let env_secret = std::env::var("COURSEGEN_JWT_SECRET")
        .ok()
        .filter(|s| !s.is_empty());
    data.jwt_secret(env_secret.as_deref())
        .context("cannot load the token secret")
}

/// What the local server's routes read: the stack's service, HS256 bearer
/// tokens and upload links signed with `secret`, webhooks checked with
/// `auth`, the AI server's files fetched from its host, ours and
/// `$COURSEGEN_AI_SERVER_FILE_HOSTS`; `addr` is where the server listens.
pub fn api_state(
    stack: &Embedded,
    secret: JwtSecret,
    addr: std::net::SocketAddr,
    auth: WebhookAuth,
    stopping: tokio::sync::watch::Receiver<bool>,
) -> anyhow::Result<ApiState> {
    let own = format!("http://{addr}");
    let extra = std::env::var(FILE_HOSTS_VAR).ok();
    let file_hosts =
        AllowedHosts::for_ai_server(ai_server_url()?.as_deref(), Some(&own), extra.as_deref())
            .map_err(anyhow::Error::msg)?;
    Ok(ApiState {
        service: stack.service.clone(),
        auth: Arc::new(Bearer(Arc::new(secret.clone()))),
        studio: Some(Studio {
            verifier: Arc::new(secret.clone()),
            sign_ins: SignIns::default(),
            secure_cookies: false,
            hosted_login: None,
        }),
        uploads: Arc::new(LocalUploads {
            base_url: own,
            secret,
        }),
        changes: Some(stack.changes.clone()),
        stopping,
        max_stream: None,
        webhooks: Some(Webhooks {
            auth,
            deliveries: stack.deliveries.clone(),
            files: Arc::new(HttpFiles::new(file_hosts)),
        }),
        downloads: None,
    })
}
