//! The FoodBridge web server: configuration, state, router. `main.rs` only wires them up.

mod assets;
mod body_limit;
pub mod config;
mod health;
mod images;
mod language;
pub mod live;
pub mod mailer;
mod malformed;
mod metrics;
mod page_cache;
pub mod router;
pub mod sessions;
pub mod startup;
