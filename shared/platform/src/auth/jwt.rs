//! EdDSA JWT verification against configured public keys.

use anyhow::Context as _;
use jsonwebtoken::{Algorithm, DecodingKey, Validation};
use serde::{Deserialize, Serialize};

use crate::config::AuthSettings;

/// The claims PRISM reads.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Claims {
    pub sub: String,
    #[serde(default)]
    pub roles: Vec<String>,
    /// A district bureau sees only these districts (GB/T 2260 codes); absent means all.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub districts: Option<Vec<String>>,
    pub iss: String,
    pub aud: String,
    pub exp: i64,
    pub nbf: i64,
    pub iat: i64,
}

/// Verifies tokens against one or more public keys (more than one while keys rotate).
pub struct JwtVerifier {
    keys: Vec<DecodingKey>,
    validation: Validation,
}

impl JwtVerifier {
    /// Builds a verifier from the configured PEM files and inline keys.
    pub fn from_settings(settings: &AuthSettings) -> anyhow::Result<Self> {
        let mut pems = settings.jwt_public_keys.clone();
        for file in &settings.jwt_public_key_files {
            let pem = std::fs::read_to_string(file)
                .with_context(|| format!("auth.jwt_public_key_files: reading {file}"))?;
            pems.push(pem);
        }
        let keys = pems
            .iter()
            .map(|pem| DecodingKey::from_ed_pem(pem.as_bytes()))
            .collect::<Result<Vec<_>, _>>()
            .context("auth.jwt_public_keys: not an Ed25519 public key in PEM")?;
        // Only EdDSA is accepted: a token claiming `none` or an HMAC algorithm fails the
        // algorithm check before its signature is even looked at.
        let mut validation = Validation::new(Algorithm::EdDSA);
        validation.set_issuer(&[&settings.issuer]);
        validation.set_audience(&[&settings.audience]);
        validation.set_required_spec_claims(&["exp", "nbf", "iss", "aud", "sub"]);
        validation.validate_nbf = true;
        validation.leeway = 30;
        Ok(Self { keys, validation })
    }

    /// The claims of a valid token; `None` for anything else.
    pub fn verify(&self, token: &str) -> Option<Claims> {
        self.keys.iter().find_map(|key| {
            jsonwebtoken::decode::<Claims>(token, key, &self.validation)
                .ok()
                .map(|data| data.claims)
        })
    }
}
