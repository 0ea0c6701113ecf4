//! Who is calling.
//!
//! - [`jwt`]: people (regulator, expert, publisher, admin) carry EdDSA-signed JWTs; signature,
//!   `iss`, `aud`, `exp` and `nbf` are checked, and `alg: none` or HMAC tokens are refused.
//! - [`person`]: the [`Person`] extractor and its roles and districts.
//! - [`api_key`]: stations carry API keys: 256 random bits, shown once, stored as a hash.

pub mod api_key;
pub mod jwt;
pub mod person;

pub use api_key::ApiKey;
pub use jwt::{Claims, JwtVerifier};
pub use person::{Person, Role};

/// The bearer token of a request, if any.
pub fn bearer(headers: &http::HeaderMap) -> Option<&str> {
    headers
        .get(http::header::AUTHORIZATION)?
        .to_str()
        .ok()?
        .strip_prefix("Bearer ")
        .map(str::trim)
}
