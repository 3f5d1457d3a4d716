//! The site's languages: the reader's [`Locale`] (pages) and the stored [`Language`] (what
//! FoodBridge writes to a user), one mapping between them, and the cookie that remembers the
//! choice. No UI here: the server's language switch and the emails use it too.

use leptos_i18n::context::CookieOptions;

use crate::{dto::Language, i18n::Locale};

/// The cookie that remembers the chosen language: leptos_i18n's, read on the server and
/// written in the browser.
pub const COOKIE_NAME: &str = "i18n_pref_locale";

/// How long the chosen language is remembered.
pub const COOKIE_MAX_AGE_SECS: i64 = 365 * 24 * 60 * 60;

/// The language cookie as the browser writes it: for the whole site (not only the path it
/// was chosen on) and for a year, like the one `/lang/{code}` sets.
pub fn cookie_options() -> CookieOptions<Locale> {
    CookieOptions::default()
        .path("/")
        .max_age(COOKIE_MAX_AGE_SECS * 1000)
}

pub fn locale_of(language: Language) -> Locale {
    match language {
        Language::En => Locale::en,
        Language::Fr => Locale::fr,
    }
}

pub fn language_of(locale: Locale) -> Language {
    match locale {
        Locale::en => Language::En,
        Locale::fr => Language::Fr,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_language_is_a_locale_and_back() {
        for &language in Language::ALL {
            assert_eq!(language_of(locale_of(language)), language);
        }
    }
}
