pub mod account;
pub mod business;
pub mod claims;
pub mod home;
pub mod listings;

pub mod login;
pub mod not_found;
pub mod register;
