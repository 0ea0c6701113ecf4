//! Full-text search that works for Chinese. The text is `warnings.search_text` (every
//! language, lower-cased); on SQLite it is mirrored into the FTS5 trigram table
//! `warning_search`, on PostgreSQL a `pg_trgm` index serves it directly (see the migration).
//! Either way a term matches any warning whose text contains it.

use sea_orm::{
    sea_query::{Alias, Expr, Query},
    ColumnTrait as _, ConnectionTrait, DbBackend, DbErr, Statement,
};

use super::entities::warning;

/// Brings the search index up to date with `row`'s text (SQLite; PostgreSQL indexes the
/// column itself).
pub async fn reindex<C: ConnectionTrait>(conn: &C, row: &warning::Model) -> Result<(), DbErr> {
    if conn.get_database_backend() != DbBackend::Sqlite {
        return Ok(());
    }
    conn.execute(Statement::from_sql_and_values(
        DbBackend::Sqlite,
        "DELETE FROM warning_search WHERE warning_id = ?",
        [row.id.into()],
    ))
    .await?;
    conn.execute(Statement::from_sql_and_values(
        DbBackend::Sqlite,
        "INSERT INTO warning_search (warning_id, body) VALUES (?, ?)",
        [row.id.into(), row.search_text.clone().into()],
    ))
    .await
    .map(drop)
}

/// The condition "the warning's text contains `term`". `term` is lower-case and free of
/// `LIKE` wildcards (see [`crate::domain::search::terms`]).
pub fn contains(backend: DbBackend, term: &str) -> sea_orm::sea_query::SimpleExpr {
    let pattern = format!("%{term}%");
    match backend {
        DbBackend::Sqlite => Expr::col(warning::Column::Id).in_subquery(
            Query::select()
                .column(Alias::new("warning_id"))
                .from(Alias::new("warning_search"))
                .and_where(Expr::col(Alias::new("body")).like(pattern))
                .to_owned(),
        ),
        _ => warning::Column::SearchText.like(pattern),
    }
}
