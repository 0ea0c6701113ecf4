//! Only EdDSA tokens signed by a configured key, for PRISM, in their validity window, pass.

use base64::{engine::general_purpose::URL_SAFE_NO_PAD, Engine as _};
use prism_platform::{auth::JwtVerifier, config::AuthSettings};
use prism_test_support::TestKeys;
use serde_json::json;

fn verifier(keys: &TestKeys) -> JwtVerifier {
    JwtVerifier::from_settings(&AuthSettings {
        jwt_public_keys: vec![keys.public_pem.clone()],
        ..AuthSettings::default()
    })
    .expect("verifier")
}

#[test]
fn a_valid_token_yields_its_roles_and_districts() {
    let keys = TestKeys::new();
    let claims = verifier(&keys)
        .verify(&keys.district_token("pudong-1", &["regulator"], &["310115"]))
        .expect("valid");
    assert_eq!(claims.sub, "pudong-1");
    assert_eq!(claims.roles, vec!["regulator"]);
    assert_eq!(claims.districts, Some(vec!["310115".to_owned()]));
}

#[test]
fn a_token_signed_by_another_key_is_refused() {
    let keys = TestKeys::new();
    assert!(verifier(&keys)
        .verify(&TestKeys::new().token("x", &["admin"]))
        .is_none());
}

#[test]
fn expired_premature_foreign_issuer_and_foreign_audience_tokens_are_refused() {
    let keys = TestKeys::new();
    let verifier = verifier(&keys);
    let now = chrono::Utc::now().timestamp();
    for claims in [
        json!({"sub": "x", "roles": ["admin"], "exp": now - 3600, "nbf": now - 7200}),
        json!({"sub": "x", "roles": ["admin"], "nbf": now + 3600, "exp": now + 7200}),
        json!({"sub": "x", "roles": ["admin"], "iss": "someone-else"}),
        json!({"sub": "x", "roles": ["admin"], "aud": "another-app"}),
    ] {
        assert!(
            verifier.verify(&keys.token_with(claims.clone())).is_none(),
            "{claims}"
        );
    }
}

#[test]
fn alg_none_and_hmac_tokens_are_refused() {
    let keys = TestKeys::new();
    let verifier = verifier(&keys);
    let now = chrono::Utc::now().timestamp();
    let claims = json!({"sub": "x", "roles": ["admin"], "iss": "prism", "aud": "prism",
                        "iat": now, "nbf": now, "exp": now + 3600});
    let body = URL_SAFE_NO_PAD.encode(claims.to_string());
    let none = format!(
        "{}.{body}.",
        URL_SAFE_NO_PAD.encode(r#"{"alg":"none","typ":"JWT"}"#)
    );
    assert!(verifier.verify(&none).is_none());

    // HMAC keyed with the public key: the classic algorithm-confusion attack.
    let hmac = jsonwebtoken::encode(
        &jsonwebtoken::Header::new(jsonwebtoken::Algorithm::HS256),
        &claims,
        &jsonwebtoken::EncodingKey::from_secret(keys.public_pem.as_bytes()),
    )
    .expect("encodes");
    assert!(verifier.verify(&hmac).is_none());
}
