//! Dietary tags become a JSON array of codes (`["halal","vegan"]`) instead of a comma-joined
//! string, and existing rows are converted. On PostgreSQL the column becomes `jsonb`, checked
//! to hold an array.

use sea_orm_migration::{prelude::*, sea_orm::DbBackend};

use crate::run;

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
    // `["halal", "vegan"]` -> `halal,vegan` (codes hold no brackets, quotes or spaces).
    "ALTER TABLE listings ALTER COLUMN dietary_tags TYPE varchar(200) USING \
     translate(dietary_tags::text, '[]\" ', '')",
    "ALTER TABLE listings ALTER COLUMN dietary_tags SET DEFAULT ''",
];

// SQLite keeps JSON as text: the values are converted in place (its column cannot take a new
// check or default without a rebuild; FoodBridge always writes the array).
const SQLITE_UP: [&str; 1] = [
    "UPDATE listings SET dietary_tags = CASE WHEN dietary_tags = '' THEN '[]' \
     ELSE '[\"' || replace(dietary_tags, ',', '\",\"') || '\"]' END",
];
const SQLITE_DOWN: [&str; 1] = ["UPDATE listings SET dietary_tags = \
     COALESCE((SELECT group_concat(value, ',') FROM json_each(listings.dietary_tags)), '')"];

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        match manager.get_database_backend() {
            DbBackend::Sqlite => run(manager, &SQLITE_UP).await,
            _ => run(manager, &POSTGRES_UP).await,
        }
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        match manager.get_database_backend() {
            DbBackend::Sqlite => run(manager, &SQLITE_DOWN).await,
            _ => run(manager, &POSTGRES_DOWN).await,
        }
    }
}
