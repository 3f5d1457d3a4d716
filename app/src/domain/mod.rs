//! Business rules and persistence: plain async functions over a SeaORM connection, with no
//! Leptos types, so they are tested on SQLite and PostgreSQL without a browser.

pub mod accounts;
pub mod browse;
pub mod browse_cache;
pub mod claims;
pub mod clock;
pub mod cursor;
pub mod error;
pub mod events;
pub mod images;
pub mod listing_form;
pub mod listings;
pub mod outbox;
pub mod ratelimit;
pub mod turns;
pub mod validate;
pub mod views;
