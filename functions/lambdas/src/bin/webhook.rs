//! The AI server's webhook (AI_SERVER_PROTOCOL.md).

#[tokio::main]
async fn main() -> Result<(), coursegen_lambdas::Error> {
    coursegen_lambdas::webhook::run().await
}
