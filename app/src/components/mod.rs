pub mod account;
pub mod auth;
pub mod claim;
pub mod error;
pub mod form;
pub mod language;
pub mod layout;
pub mod listing;
pub mod live;
pub mod pager;
pub mod post;
pub mod upload;

use leptos::prelude::*;
use leptos_i18n::{
    I18nContext,
    context::{I18nContextOptions, init_i18n_context_with_options},
};

use crate::i18n::{Locale, use_i18n};

/// The page's language, inside an island. On the server an island renders within the page and
/// finds the page's context. In the browser each island comes alive on its own, outside any
/// context: it reads the language the server chose from `<html lang>`, and leaves the
/// language cookie alone (the language switch, `/lang/{code}`, writes it).
pub fn island_i18n() -> I18nContext<Locale> {
    if use_context::<I18nContext<Locale>>().is_none() {
        provide_context(init_i18n_context_with_options::<Locale>(
            I18nContextOptions::default().enable_cookie(false),
        ));
    }
    use_i18n()
}
