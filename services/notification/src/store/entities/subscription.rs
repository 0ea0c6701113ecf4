use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "subscriptions")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    /// The regulator's `sub`.
    pub owner: String,
    /// `stream`, `webhook` or `email`.
    pub channel: String,
    /// The channel as subscribed (URL and secret, address), plus the owner's district scope.
    pub target: Json,
    pub filters: Json,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
