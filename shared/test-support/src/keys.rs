//! Signing keys and tokens for tests.

use chrono::Utc;
use ed25519_dalek::{
    pkcs8::{spki::der::pem::LineEnding, EncodePrivateKey as _, EncodePublicKey as _},
    SigningKey,
};
use jsonwebtoken::{Algorithm, EncodingKey, Header};
use serde_json::json;

/// An Ed25519 key pair whose public half the services under test trust.
pub struct TestKeys {
    private_pem: String,
    /// The public key in PEM, for `auth.jwt_public_keys`.
    pub public_pem: String,
}

impl TestKeys {
    pub fn new() -> Self {
        let key = SigningKey::generate(&mut rand::rngs::OsRng);
        let private_pem = key
            .to_pkcs8_pem(LineEnding::LF)
            .map(|pem| pem.to_string())
            .unwrap_or_default();
        let public_pem = key
            .verifying_key()
            .to_public_key_pem(LineEnding::LF)
            .unwrap_or_default();
        Self {
            private_pem,
            public_pem,
        }
    }

    /// A token for `sub` with `roles`, valid for an hour, for issuer and audience `prism`.
    pub fn token(&self, sub: &str, roles: &[&str]) -> String {
        self.token_with(json!({"sub": sub, "roles": roles}))
    }

    /// A token with districts, as a district bureau carries.
    pub fn district_token(&self, sub: &str, roles: &[&str], districts: &[&str]) -> String {
        self.token_with(json!({"sub": sub, "roles": roles, "districts": districts}))
    }

    /// Signs `claims`, filling in `iss`, `aud`, `iat`, `nbf` and `exp` unless given.
    pub fn token_with(&self, mut claims: serde_json::Value) -> String {
        let now = Utc::now().timestamp();
        for (key, value) in [
            ("iss", json!("prism")),
            ("aud", json!("prism")),
            ("iat", json!(now)),
            ("nbf", json!(now)),
            ("exp", json!(now + 3600)),
        ] {
            if claims.get(key).is_none() {
                claims[key] = value;
            }
        }
        let key = EncodingKey::from_ed_pem(self.private_pem.as_bytes()).expect("test key is valid");
        jsonwebtoken::encode(&Header::new(Algorithm::EdDSA), &claims, &key).expect("token signs")
    }
}

impl Default for TestKeys {
    fn default() -> Self {
        Self::new()
    }
}
