//! The REST API behind API Gateway (DESIGN.md §5).

#[tokio::main]
async fn main() -> Result<(), coursegen_lambdas::Error> {
    coursegen_lambdas::api::run().await
}
