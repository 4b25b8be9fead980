//! The `images` step of the course workflow (statemachine/course.asl.json):
//! a script job's images, in the container image of infra/video.

#[tokio::main]
async fn main() -> Result<(), coursegen_lambdas::Error> {
    coursegen_lambdas::step::run_visual("images").await
}
