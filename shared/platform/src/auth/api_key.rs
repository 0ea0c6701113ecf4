//! Station API keys: `prism_<key id>_<secret>`, 256 random bits of secret. Only the SHA-256
//! of the whole key is stored; a key this random needs no slow hash, and looking it up by
//! hash leaks nothing through timing.

use base64::{engine::general_purpose::URL_SAFE_NO_PAD, Engine as _};
use rand::RngCore as _;
use sha2::{Digest as _, Sha256};

/// A freshly issued key. `secret` is shown to the caller once and never stored.
#[derive(Debug, Clone)]
pub struct ApiKey {
    /// Public identifier, safe to list and log.
    pub key_id: String,
    /// The whole key the station sends as `Bearer`.
    pub secret: String,
}

impl ApiKey {
    /// Draws a new key from the operating system's random source.
    pub fn generate() -> Self {
        let mut id = [0_u8; 8];
        let mut secret = [0_u8; 32];
        rand::rngs::OsRng.fill_bytes(&mut id);
        rand::rngs::OsRng.fill_bytes(&mut secret);
        let key_id = hex::encode(id);
        let secret = format!("prism_{key_id}_{}", URL_SAFE_NO_PAD.encode(secret));
        Self { key_id, secret }
    }

    /// What is stored: the hex SHA-256 of the whole key.
    pub fn hash(&self) -> String {
        hash(&self.secret)
    }
}

/// The stored hash of a presented key.
pub fn hash(presented: &str) -> String {
    hex::encode(Sha256::digest(presented.as_bytes()))
}

/// Whether a bearer token looks like a station key rather than a JWT.
pub fn looks_like_key(token: &str) -> bool {
    token.starts_with("prism_")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_are_unique_and_hash_to_what_is_presented() {
        let a = ApiKey::generate();
        let b = ApiKey::generate();
        assert_ne!(a.secret, b.secret);
        assert_eq!(a.hash(), hash(&a.secret));
        assert!(looks_like_key(&a.secret));
        // 32 bytes of secret in unpadded base64 are 43 characters.
        assert!(a.secret.len() >= "prism_".len() + 16 + 1 + 43);
    }
}
