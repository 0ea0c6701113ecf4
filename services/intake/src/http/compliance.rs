//! `GET /v1/stations/{id}/compliance`: a station's monthly routine submissions against their
//! due dates (the 25th, moved to the next working day).

use axum::{
    extract::{Path, State},
    Json,
};
use chrono::Utc;
use prism_platform::{
    auth::Role,
    http::{ApiError, ApiQuery, FieldError, Text},
};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::{caller::Caller, AppState};
use crate::{
    domain::{
        compliance::{self, Month},
        period,
    },
    store::{compliance as store, reports::strings, stations},
};

/// Which periods to show; by default the twelve up to the one open now.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
pub struct ComplianceQuery {
    /// First period, `YYYY-MM`.
    pub from: Option<String>,
    /// Last period, `YYYY-MM`.
    pub to: Option<String>,
}

/// A station's months.
#[derive(Debug, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Compliance {
    pub station_id: Uuid,
    pub months: Vec<Month>,
}

/// Monthly compliance (the station itself, or a regulator).
#[utoipa::path(get, path = "/v1/stations/{id}/compliance", params(ComplianceQuery),
    responses((status = 200, body = Compliance), (status = 404)), security(("bearer" = [])))]
pub async fn compliance(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<Uuid>,
    ApiQuery(query): ApiQuery<ComplianceQuery>,
) -> Result<Json<Compliance>, ApiError> {
    if let Caller::Person(person) = &caller {
        person.require(&[Role::Regulator, Role::Admin])?;
    }
    let station = stations::find(&state.db, id)
        .await?
        .ok_or(ApiError::NotFound)?;
    // Another station's standing is not theirs to know: 404, as for its reports.
    if !caller.may_read(station.id, &strings(&station.districts)) {
        return Err(ApiError::NotFound);
    }
    let now = Utc::now();
    let current = period::routine_period_of(now);
    let last = query.to.clone().unwrap_or_else(|| current.clone());
    let first = match &query.from {
        Some(from) => from.clone(),
        None => (0..11).fold(last.clone(), |p, _| period::previous(&p).unwrap_or(p)),
    };
    let mut errors = Vec::new();
    for (field, value) in [("from", &first), ("to", &last)] {
        if !period::is_period(value) {
            errors.push(FieldError::new(
                field,
                Text::owned(
                    format!("{field} 须为 YYYY-MM"),
                    format!("{field} must be YYYY-MM"),
                ),
            ));
        }
    }
    if errors.is_empty() && first > last {
        errors.push(FieldError::new(
            "to",
            Text::new("to 不能早于 from", "to must not be before from"),
        ));
    }
    if !errors.is_empty() {
        return Err(ApiError::Validation(errors));
    }
    let periods = compliance::periods_between(&first, &last);
    let submissions = store::submissions(&state.db, station.id, &first, &last).await?;
    Ok(Json(Compliance {
        station_id: station.id,
        months: compliance::months(&periods, &submissions, station.created_at, now),
    }))
}
