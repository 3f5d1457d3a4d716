//! `GET /lang/{code}`: the language switch that works without JavaScript.

use app::{
    auth,
    domain::accounts,
    i18n::{I18nLocaleTrait, Locale},
    locale::{COOKIE_MAX_AGE_SECS, COOKIE_NAME, language_of},
    state::AppState,
};
use axum::{
    extract::{Path, State},
    http::{HeaderMap, HeaderValue, StatusCode, Uri, header},
    response::{IntoResponse, Response},
};
use tower_sessions::Session;

/// Remembers the chosen language for a year and goes back to the page the user was on; a
/// logged-in user's emails will be written in it too.
pub async fn switch(
    State(state): State<AppState>,
    session: Session,
    Path(code): Path<String>,
    headers: HeaderMap,
) -> Response {
    let Some(locale) = Locale::get_all().iter().find(|l| l.as_str() == code) else {
        return StatusCode::NOT_FOUND.into_response();
    };
    if let Ok(Some(actor)) = auth::actor_in(&session).await
        && let Err(e) = accounts::set_language(&state.db, actor, language_of(*locale)).await
    {
        // The page's language changes all the same; only the emails' would lag.
        tracing::warn!(
            "cannot remember the language of user {}: {e:?}",
            actor.user_id
        );
    }
    let cookie = format!(
        "{COOKIE_NAME}={}; Path=/; Max-Age={COOKIE_MAX_AGE_SECS}; SameSite=Lax",
        locale.as_str()
    );
    let back = same_site_referer(&headers).unwrap_or_else(|| "/".to_owned());

    let mut response = StatusCode::SEE_OTHER.into_response();
    let headers = response.headers_mut();
    if let (Ok(cookie), Ok(back)) = (HeaderValue::from_str(&cookie), HeaderValue::from_str(&back)) {
        headers.insert(header::SET_COOKIE, cookie);
        headers.insert(header::LOCATION, back);
    }
    response
}

/// The path of the referring page, when it is on this site; never another site (no open
/// redirect).
pub(crate) fn same_site_referer(headers: &HeaderMap) -> Option<String> {
    let referer: Uri = headers.get(header::REFERER)?.to_str().ok()?.parse().ok()?;
    let host = headers.get(header::HOST)?.to_str().ok()?;
    if referer.authority()?.as_str() != host {
        return None;
    }
    let path = referer.path_and_query()?.as_str();
    (path.starts_with('/') && !path.starts_with("//")).then(|| path.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(referer: &str, host: &str) -> HeaderMap {
        let mut h = HeaderMap::new();
        h.insert(header::REFERER, referer.parse().unwrap());
        h.insert(header::HOST, host.parse().unwrap());
        h
    }

    #[test]
    fn goes_back_to_a_page_on_this_site() {
        let back = same_site_referer(&headers(
            "http://localhost:3000/listings?q=bread",
            "localhost:3000",
        ));
        assert_eq!(back.as_deref(), Some("/listings?q=bread"));
    }

    #[test]
    fn never_sends_the_user_to_another_site() {
        assert_eq!(
            same_site_referer(&headers("https://evil.example/phish", "localhost:3000")),
            None
        );
    }
}
