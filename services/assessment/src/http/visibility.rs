//! Who may see which case. A case someone may not see is "not found", not "forbidden": its
//! existence is not theirs to know.

use prism_platform::{
    auth::{Person, Role},
    http::ApiError,
};
use uuid::Uuid;

use super::AppState;
use crate::store::{cases, entities::case, list_of, panels};

/// The roles that read cases at all; anyone else gets 403.
pub const READERS: [Role; 3] = [Role::Regulator, Role::Admin, Role::Expert];

/// Whether `person` oversees cases: regulators and admins, within their districts.
pub fn oversees(person: &Person) -> bool {
    person.has(Role::Regulator) || person.has(Role::Admin)
}

/// The case, if `person` may read cases (else 403) and may see this one (else 404):
/// regulators (and admins) whose districts it involves, experts on its panel.
pub async fn visible_case(
    state: &AppState,
    person: &Person,
    id: Uuid,
) -> Result<case::Model, ApiError> {
    person.require(&READERS)?;
    let case = cases::find(&state.db, id)
        .await?
        .ok_or(ApiError::NotFound)?;
    if oversees(person) && person.sees_any(&list_of::<String>(&case.districts)) {
        return Ok(case);
    }
    if person.has(Role::Expert) && panels::is_on_panel(&state.db, case.id, &person.id).await? {
        return Ok(case);
    }
    Err(ApiError::NotFound)
}

/// The case, if `person` is an expert on its panel: 403 for anyone not an expert, 404 for
/// an expert not on the panel (the case is not theirs to know about).
pub async fn panel_case(
    state: &AppState,
    person: &Person,
    id: Uuid,
) -> Result<case::Model, ApiError> {
    person.require(&[Role::Expert])?;
    let case = cases::find(&state.db, id)
        .await?
        .ok_or(ApiError::NotFound)?;
    if panels::is_on_panel(&state.db, case.id, &person.id).await? {
        Ok(case)
    } else {
        Err(ApiError::NotFound)
    }
}
