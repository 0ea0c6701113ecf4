//! OpenAPI pieces every service's document shares.

use utoipa::openapi::security::{Http, HttpAuthScheme, SecurityScheme};

/// Declares the `bearer` security scheme: an EdDSA JWT for people, an API key for stations.
pub struct BearerAuth;

impl utoipa::Modify for BearerAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(Http::new(HttpAuthScheme::Bearer)),
        );
    }
}
