pub mod error;
pub mod language;
pub mod layout;
