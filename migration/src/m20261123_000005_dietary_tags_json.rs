//! Dietary tags become a JSON array of codes (`["halal","vegan"]`) instead of a comma-joined
//! string, and existing rows are converted. On PostgreSQL the column becomes `jsonb`; SQLite
//! keeps JSON as text, so the column is rebuilt with a check that it holds an array.

use sea_orm_migration::{prelude::*, sea_orm::DbBackend};

#[derive(DeriveMigrationName)]
pub struct Migration;

const POSTGRES_UP: [&str; 4] = [
    "ALTER TABLE listings ALTER COLUMN dietary_tags DROP DEFAULT",
    "ALTER TABLE listings ALTER COLUMN dietary_tags TYPE jsonb USING \
     COALESCE(to_jsonb(string_to_array(NULLIF(dietary_tags, ''), ',')), '[]'::jsonb)",
    "ALTER TABLE listings ALTER COLUMN dietary_tags SET DEFAULT '[]'::jsonb",
    "ALTER TABLE listings ADD CONSTRAINT listings_dietary_tags_array \
     CHECK (jsonb_typeof(dietary_tags) = 'array')",
];
const POSTGRES_DOWN: [&str; 4] = [
    "ALTER TABLE listings DROP CONSTRAINT listings_dietary_tags_array",
    "ALTER TABLE listings ALTER COLUMN dietary_tags DROP DEFAULT",
    "ALTER TABLE listings ALTER COLUMN dietary_tags TYPE varchar(200) USING \
     COALESCE((SELECT string_agg(tag, ',') FROM jsonb_array_elements_text(dietary_tags) AS tag), '')",
    "ALTER TABLE listings ALTER COLUMN dietary_tags SET DEFAULT ''",
];

const SQLITE_UP: [&str; 4] = [
    "ALTER TABLE listings ADD COLUMN dietary_tags_json text NOT NULL DEFAULT '[]' \
     CHECK (json_valid(dietary_tags_json) AND json_type(dietary_tags_json) = 'array')",
    "UPDATE listings SET dietary_tags_json = CASE WHEN dietary_tags = '' THEN '[]' \
     ELSE '[\"' || replace(dietary_tags, ',', '\",\"') || '\"]' END",
    "ALTER TABLE listings DROP COLUMN dietary_tags",
    "ALTER TABLE listings RENAME COLUMN dietary_tags_json TO dietary_tags",
];
const SQLITE_DOWN: [&str; 4] = [
    "ALTER TABLE listings ADD COLUMN dietary_tags_text varchar(200) NOT NULL DEFAULT ''",
    "UPDATE listings SET dietary_tags_text = \
     COALESCE((SELECT group_concat(value, ',') FROM json_each(listings.dietary_tags)), '')",
    "ALTER TABLE listings DROP COLUMN dietary_tags",
    "ALTER TABLE listings RENAME COLUMN dietary_tags_text TO dietary_tags",
];

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let steps = match manager.get_database_backend() {
            DbBackend::Sqlite => SQLITE_UP,
            _ => POSTGRES_UP,
        };
        run(manager, steps).await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let steps = match manager.get_database_backend() {
            DbBackend::Sqlite => SQLITE_DOWN,
            _ => POSTGRES_DOWN,
        };
        run(manager, steps).await
    }
}

async fn run(manager: &SchemaManager<'_>, steps: [&str; 4]) -> Result<(), DbErr> {
    let db = manager.get_connection();
    for sql in steps {
        db.execute_unprepared(sql).await?;
    }
    Ok(())
}
