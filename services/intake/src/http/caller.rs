//! Who is calling intake: a station (by API key) or a person (by JWT).

use axum::{
    extract::FromRequestParts,
    response::{IntoResponse as _, Response},
};
use http::request::Parts;
use prism_platform::{
    auth::{api_key, bearer, Person, Role},
    http::ApiError,
};
use uuid::Uuid;

use super::AppState;
use crate::store::entities::station;

/// The authenticated caller.
#[derive(Debug, Clone)]
pub enum Caller {
    Station(station::Model),
    Person(Person),
}

impl Caller {
    /// The station, or 403.
    pub fn station(&self) -> Result<&station::Model, ApiError> {
        match self {
            Self::Station(station) => Ok(station),
            Self::Person(_) => Err(ApiError::Forbidden),
        }
    }

    /// A person with one of `roles`, or 403.
    pub fn person(&self, roles: &[Role]) -> Result<&Person, ApiError> {
        match self {
            Self::Person(person) => person.require(roles).map(|()| person),
            Self::Station(_) => Err(ApiError::Forbidden),
        }
    }

    /// Whether the caller may read things of `station_id` involving `districts`: the station
    /// itself, or a regulator (or admin) whose districts overlap.
    pub fn may_read(&self, station_id: Uuid, districts: &[String]) -> bool {
        match self {
            Self::Station(station) => station.id == station_id,
            Self::Person(person) => {
                (person.has(Role::Regulator) || person.has(Role::Admin))
                    && person.sees_any(districts)
            }
        }
    }
}

impl FromRequestParts<AppState> for Caller {
    /// 401 or 403 as an [`ApiError`], or 429 when the caller is over its rate limit.
    type Rejection = Response;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let caller = identify(parts, state)
            .await
            .map_err(|error| error.into_response())?;
        // Counted after authentication, so a stranger cannot spend a station's quota.
        let bucket = match &caller {
            Self::Station(station) => format!("station:{}", station.id),
            Self::Person(person) => format!("person:{}", person.id),
        };
        state
            .limits
            .check(&bucket)
            .map_err(|limited| limited.into_response())?;
        Ok(caller)
    }
}

async fn identify(parts: &mut Parts, state: &AppState) -> Result<Caller, ApiError> {
    let token = bearer(&parts.headers).ok_or(ApiError::Unauthenticated)?;
    if api_key::looks_like_key(token) {
        let station = state
            .keys
            .station(&state.db, token)
            .await?
            .ok_or(ApiError::Unauthenticated)?;
        return Ok(Caller::Station(station));
    }
    Person::from_request_parts(parts, state)
        .await
        .map(Caller::Person)
}
