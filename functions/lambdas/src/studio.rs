//! The review studio on AWS, served by the `api` function under `/studio`.
//! API Gateway lets those routes through without its JWT authorizer (a
//! browser sends a cookie, not a bearer token), and the pages check their
//! session cookie themselves against the issuer's published keys. People
//! sign in at the user pool's hosted login (authorization code + PKCE)
//! through the studio's own app client, or paste a token the API accepts.

use std::sync::Arc;
use std::time::Duration;

use coursegen_http::{HostedLogin, SignIns, Studio};

use crate::jwks::JwksVerifier;

/// The studio the environment describes, or `None` without an issuer:
///
/// - `COURSEGEN_JWT_ISSUER`, `COURSEGEN_JWT_AUDIENCE`: the tokens the API
///   accepts, which the sign-in page also takes pasted;
/// - `COURSEGEN_STUDIO_LOGIN_URL`: the hosted login, as
///   `https://{domain}.auth.{region}.amazoncognito.com`;
/// - `COURSEGEN_STUDIO_CLIENT_ID`, or `COURSEGEN_STUDIO_CLIENT_SECRET`
///   naming the Secrets Manager secret that holds it. The template takes
///   the second way: the client names the API's address as its callback,
///   so the API's function cannot name the client without a cycle.
///
/// The callback is on the host the browser asked for.
pub async fn from_env(
    sdk: &aws_config::SdkConfig,
    var: impl Fn(&str) -> Option<String>,
) -> Result<Option<Studio>, crate::Error> {
    let Some(issuer) = var("COURSEGEN_JWT_ISSUER") else {
        tracing::info!("no COURSEGEN_JWT_ISSUER: the studio is not served");
        return Ok(None);
    };
    let audience =
        var("COURSEGEN_JWT_AUDIENCE").ok_or(crate::config::Missing("COURSEGEN_JWT_AUDIENCE"))?;
    let mut verifier = JwksVerifier::new(issuer, audience);
    let client_id = match (
        var("COURSEGEN_STUDIO_CLIENT_ID"),
        var("COURSEGEN_STUDIO_CLIENT_SECRET"),
    ) {
        (Some(id), _) => Some(id),
        (None, Some(name)) => crate::secrets::read(sdk, &name, "studio client id")
            .await?
            .map(|id| id.trim().to_owned()),
        (None, None) => None,
    };
    let hosted_login = match (var("COURSEGEN_STUDIO_LOGIN_URL"), client_id) {
        (Some(login), Some(client_id)) => {
            verifier = verifier.also_for(client_id.clone());
            let login = login.trim_end_matches('/');
            Some(HostedLogin {
                authorize_url: format!("{login}/oauth2/authorize"),
                token_url: format!("{login}/oauth2/token"),
                client_id,
                redirect_url: None,
                http: reqwest::Client::builder()
                    .timeout(Duration::from_secs(10))
                    .build()?,
            })
        }
        _ => None,
    };
    Ok(Some(Studio {
        verifier: Arc::new(verifier),
        // One-time links are printed by `coursegen serve`, not handed out here.
        sign_ins: SignIns::default(),
        secure_cookies: true,
        hosted_login,
    }))
}
