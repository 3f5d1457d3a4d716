//! FoodBridge's UI, server functions and (with `ssr`) business rules.

#![recursion_limit = "256"]

pub mod api;
pub mod app;
pub mod components;
pub mod dto;
pub mod error;
pub mod labels;
pub mod limits;
pub mod locale;
pub mod pages;

#[cfg(feature = "ssr")]
pub mod auth;
#[cfg(feature = "ssr")]
pub mod domain;
#[cfg(feature = "ssr")]
pub mod emails;

#[cfg(feature = "ssr")]
pub mod rendered;
#[cfg(feature = "ssr")]
pub mod request;
#[cfg(feature = "ssr")]
pub mod state;

include!(concat!(env!("OUT_DIR"), "/i18n/mod.rs"));
