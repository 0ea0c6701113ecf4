//! Who may see which case. A case someone may not see is "not found", not "forbidden": its
//! existence is not theirs to know.

use prism_platform::{
    auth::{Person, Role},
    http::ApiError,
};
use uuid::Uuid;

use super::AppState;
use crate::store::{cases, entities::case, list_of};

/// The roles that read cases at all; anyone else gets 403.
pub const READERS: [Role; 3] = [Role::Regulator, Role::Admin, Role::Expert];

/// Whether `person` may see `case`: regulators (and admins) whose districts it involves.
/// Experts see the cases assigned to them, and nothing assigns cases yet, so none.
pub fn may_see(person: &Person, case: &case::Model) -> bool {
    (person.has(Role::Regulator) || person.has(Role::Admin))
        && person.sees_any(&list_of::<String>(&case.districts))
}

/// The case, if `person` may read cases (else 403) and may see this one (else 404).
pub async fn visible_case(
    state: &AppState,
    person: &Person,
    id: Uuid,
) -> Result<case::Model, ApiError> {
    person.require(&READERS)?;
    let case = cases::find(&state.db, id)
        .await?
        .ok_or(ApiError::NotFound)?;
    if may_see(person, &case) {
        Ok(case)
    } else {
        Err(ApiError::NotFound)
    }
}
