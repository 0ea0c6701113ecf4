//! The [`Person`] extractor: a caller with a verified JWT.

use std::sync::Arc;

use axum::extract::{FromRef, FromRequestParts};
use http::request::Parts;

use super::{bearer, JwtVerifier};
use crate::http::ApiError;

/// The roles of INTERFACE.md.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Role {
    Admin,
    Regulator,
    Publisher,
    Expert,
}

impl Role {
    /// The claim value.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Admin => "admin",
            Self::Regulator => "regulator",
            Self::Publisher => "publisher",
            Self::Expert => "expert",
        }
    }
}

/// A person whose token verified.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Person {
    /// The token's `sub`.
    pub id: String,
    pub roles: Vec<String>,
    /// `None` means every district.
    pub districts: Option<Vec<String>>,
}

impl Person {
    pub fn has(&self, role: Role) -> bool {
        self.roles.iter().any(|r| r == role.as_str())
    }

    /// 403 unless the person has one of `roles`.
    pub fn require(&self, roles: &[Role]) -> Result<(), ApiError> {
        if roles.iter().any(|role| self.has(*role)) {
            Ok(())
        } else {
            Err(ApiError::Forbidden)
        }
    }

    /// Whether the person may see something that involves `districts`.
    pub fn sees_any(&self, districts: &[String]) -> bool {
        match &self.districts {
            None => true,
            Some(own) => districts.iter().any(|d| own.contains(d)),
        }
    }
}

impl<S> FromRequestParts<S> for Person
where
    Arc<JwtVerifier>: FromRef<S>,
    S: Send + Sync,
{
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let verifier = Arc::<JwtVerifier>::from_ref(state);
        let token = bearer(&parts.headers).ok_or(ApiError::Unauthenticated)?;
        let claims = verifier.verify(token).ok_or(ApiError::Unauthenticated)?;
        Ok(Person {
            id: claims.sub,
            roles: claims.roles,
            districts: claims.districts,
        })
    }
}
