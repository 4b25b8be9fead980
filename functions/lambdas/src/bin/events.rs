//! A job's events, streamed (server-sent events behind a Function URL).

#[tokio::main]
async fn main() -> Result<(), coursegen_lambdas::Error> {
    coursegen_lambdas::events::run().await
}
