//! The FoodBridge web server: configuration, state, router. `main.rs` only wires them up.

pub mod config;
mod health;
mod images;
mod language;
pub mod router;
pub mod sessions;
pub mod startup;
