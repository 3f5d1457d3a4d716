pub mod account;
pub mod claim;
pub mod error;
pub mod form;
pub mod language;
pub mod layout;
pub mod listing;
pub mod upload;
