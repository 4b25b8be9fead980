//! moto's server, started once per test binary on 127.0.0.1 and playing AWS.
//!
//! `scripts/test` installs moto into a venv and names its Python in
//! `COURSEGEN_PYTHON`. The server runs under a watchdog that exits when our
//! stdin closes, so it never outlives the test process, even after a panic.

#![allow(dead_code)] // each test binary uses its own subset

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::sync::{Mutex, OnceLock};
use std::time::Duration;

use aws_config::{BehaviorVersion, Region};
use aws_sdk_sfn::config::{Credentials, SharedCredentialsProvider};
use serde_json::{Value, json};

/// moto's default account, the one its lambda-simple queue is kept under.
pub const ACCOUNT: &str = "123456789012";

#[derive(Debug)]
pub struct Moto {
    pub endpoint: String,
    // Held so the watchdog's stdin stays open while the tests run.
    _process: Mutex<Child>,
}

/// Runs moto's server on the port given as argv[1], exiting when stdin closes.
/// DynamoDB calls are taken one at a time: moto serves each request on a
/// thread of its own and checks a transaction's conditions apart from its
/// writes, so two racing conditional writes could both succeed, which
/// DynamoDB's serializable transactions never allow (seen: a lost update in
/// the contract suite's concurrent writers). DynamoDB's handlers call no
/// other service, so the lock cannot deadlock.
const WATCHDOG: &str = "\
import os, sys, threading
threading.Thread(target=lambda: (sys.stdin.read(), os._exit(0)), daemon=True).start()
from moto.dynamodb.responses import DynamoHandler
one_at_a_time = threading.Lock()
unlocked = DynamoHandler.call_action
def call_action(self):
    with one_at_a_time:
        return unlocked(self)
DynamoHandler.call_action = call_action
from moto.server import main
main(['-H', '127.0.0.1', '-p', sys.argv[1]])
";

impl Moto {
    /// The server of this test binary, started on first use with the
    /// Step Functions interpreter on and Lambda answering without Docker.
    pub async fn shared() -> &'static Moto {
        static MOTO: OnceLock<Moto> = OnceLock::new();
        let moto = MOTO.get_or_init(|| Moto::start(None));
        moto.configure().await;
        moto
    }

    /// A server of its own whose Step Functions sends Lambda invocations to
    /// `lambda_port` on localhost instead of to moto's canned Lambda: there,
    /// a test can play the functions with the real handlers.
    pub async fn with_lambda_at(lambda_port: u16) -> Moto {
        let moto = Moto::start(Some(lambda_port));
        moto.configure().await;
        moto
    }

    async fn configure(&self) {
        self.post(
            "/moto-api/config",
            &json!({"stepfunctions": {"execute_state_machine": true}, "lambda": {"use_docker": false}}),
        )
        .await;
    }

    fn start(lambda_port: Option<u16>) -> Moto {
        let python = std::env::var("COURSEGEN_PYTHON").unwrap_or_else(|_| {
            panic!(
                "COURSEGEN_PYTHON is not set: these tests need moto's server; \
                 run them with scripts/test, which installs it"
            )
        });
        // moto's Step Functions calls its own Lambda at the port it was
        // given, so it needs a real one, not 0: take a free one.
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .expect("a free port on 127.0.0.1")
            .port();
        // moto's services call one another at localhost:$MOTO_PORT.
        let calls_to = lambda_port.unwrap_or(port);
        let mut child = Command::new(&python)
            .args(["-u", "-c", WATCHDOG, &port.to_string()])
            .env("MOTO_PORT", calls_to.to_string())
            .stdin(Stdio::piped())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap_or_else(|e| panic!("cannot start moto with {python}: {e}"));
        let stderr = child.stderr.take().expect("piped stderr");
        let mut lines = BufReader::new(stderr).lines();
        let endpoint = loop {
            let line = match lines.next() {
                Some(Ok(line)) => line,
                _ => panic!("moto's server exited before it listened"),
            };
            if let Some(at) = line.find("http://127.0.0.1:") {
                break line[at..].trim().to_owned();
            }
        };
        // moto logs every request; keep reading so it never blocks on a full pipe.
        std::thread::spawn(move || lines.for_each(drop));
        Moto {
            endpoint,
            _process: Mutex::new(child),
        }
    }

    async fn post(&self, path: &str, body: &Value) {
        let response = reqwest::Client::new()
            .post(format!("{}{path}", self.endpoint))
            .json(body)
            .timeout(Duration::from_secs(30))
            .send()
            .await
            .unwrap_or_else(|e| panic!("moto {path}: {e}"));
        assert!(
            response.status().is_success(),
            "moto {path}: {}",
            response.status()
        );
    }

    /// Queues what moto's Docker-less Lambda answers to the next invocations
    /// in `region`, in order (one queue for every function of the region).
    pub async fn queue_lambda_results(&self, region: &str, results: &[String]) {
        self.post(
            "/moto-api/static/lambda-simple/response",
            &json!({"account_id": ACCOUNT, "region": region, "results": results}),
        )
        .await;
    }

    /// What every client of this server is built from: its endpoint, a
    /// region and moto's dummy credentials.
    pub fn sdk_config(&self, region: &str) -> aws_config::SdkConfig {
        aws_config::SdkConfig::builder()
            .behavior_version(BehaviorVersion::latest())
            .region(Region::new(region.to_owned()))
            .endpoint_url(&self.endpoint)
            .credentials_provider(SharedCredentialsProvider::new(Credentials::new(
                "moto", "moto", None, None, "moto",
            )))
            .build()
    }

    pub fn sfn(&self, region: &str) -> aws_sdk_sfn::Client {
        aws_sdk_sfn::Client::new(&self.sdk_config(region))
    }

    pub fn dynamodb(&self, region: &str) -> aws_sdk_dynamodb::Client {
        aws_sdk_dynamodb::Client::new(&self.sdk_config(region))
    }

    /// A new bucket in `region` (outside us-east-1, S3 wants the region
    /// named again), and the client to reach it.
    pub async fn bucket(&self, region: &str, name: &str) -> aws_sdk_s3::Client {
        let client = self.s3(region);
        let mut request = client.create_bucket().bucket(name);
        if region != "us-east-1" {
            request = request.create_bucket_configuration(
                aws_sdk_s3::types::CreateBucketConfiguration::builder()
                    .location_constraint(region.into())
                    .build(),
            );
        }
        request.send().await.expect("moto creates the bucket");
        client
    }

    /// S3 with path-style addressing: moto serves one host, not a
    /// subdomain per bucket.
    pub fn s3(&self, region: &str) -> aws_sdk_s3::Client {
        let config = aws_sdk_s3::config::Builder::from(&self.sdk_config(region))
            .force_path_style(true)
            .build();
        aws_sdk_s3::Client::from_conf(config)
    }
}
