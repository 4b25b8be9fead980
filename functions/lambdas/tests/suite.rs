//! Every integration test of this crate in one binary: one link of the
//! whole stack instead of one per file keeps CI's build fast and its disk small.

#[path = "../../engines/tests/fake_llm/mod.rs"]
mod fake_llm;
#[path = "../../http/tests/support/gateway.rs"]
mod gateway;
#[path = "../../aws/tests/support/moto.rs"]
mod moto;
#[path = "support/oidc.rs"]
mod oidc;

mod aws_path;
mod jwks;
mod llm_key;
mod studio_on_aws;
mod webhook;
