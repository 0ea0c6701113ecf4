use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "station_keys")]
pub struct Model {
    /// The public key id.
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: String,
    pub station_id: Uuid,
    /// SHA-256 of the whole key; the key itself is never stored.
    #[sea_orm(unique)]
    pub hash: String,
    pub created_at: DateTimeUtc,
    pub revoked_at: Option<DateTimeUtc>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
