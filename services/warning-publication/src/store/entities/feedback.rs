use sea_orm::entity::prelude::*;

/// A message the public left through the site's form (意见和建议).
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "feedback")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    #[sea_orm(column_type = "Text")]
    pub message: String,
    pub contact: Option<String>,
    /// The page's language when it was sent: `zh` or `en`.
    pub language: String,
    /// A hash of the normalised message: repeats are refused.
    pub fingerprint: String,
    /// Who sent it, as far as the rate limit knows (a forwarded address, or `direct`).
    pub client: String,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
