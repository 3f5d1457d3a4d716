//! The session, and the one guard every server function uses: `require_user()`,
//! `require_business()`, `require_client()`.

use std::net::SocketAddr;

use axum::{extract::ConnectInfo, http::request::Parts};
use leptos::prelude::use_context;
use tower_sessions::Session;

use crate::{
    domain::{accounts::Actor, clock},
    dto::{Account, KeptForm, Role},
    error::AppError,
    request,
    state::app_state,
};

const ACTOR_KEY: &str = "actor";
const ACCOUNT_KEY: &str = "account";
/// When the session was last stored again with its whole inactivity limit ahead (Unix seconds).
const RENEWED_KEY: &str = "renewed";
/// How often a session in use is renewed. The store keeps a session until its inactivity limit
/// runs out from the last time it was written, and the browser its cookie from the last time it
/// was sent: a session that is only read would end that long after login, however much it is
/// used. Renewing it at most once a day keeps a returning user logged in for one write a day.
const RENEW_EVERY_SECS: i64 = 24 * 60 * 60;

fn session_error(e: impl std::fmt::Display) -> AppError {
    tracing::error!(error = %e, "session store failed");
    AppError::Internal
}

pub async fn session() -> Result<Session, AppError> {
    leptos_axum::extract::<Session>()
        .await
        .map_err(session_error)
}

/// The logged-in user, if any.
pub async fn actor() -> Result<Option<Actor>, AppError> {
    actor_in(&session().await?).await
}

/// The user logged in to `session`, if any (for plain axum handlers). Renews the session when
/// it is due.
pub async fn actor_in(session: &Session) -> Result<Option<Actor>, AppError> {
    let actor = session
        .get::<Actor>(ACTOR_KEY)
        .await
        .map_err(session_error)?;
    if actor.is_some() {
        renew_if_due(session).await?;
    }
    Ok(actor)
}

/// Marks a logged-in session to be stored again (with a new cookie) at the end of the request
/// if it was last renewed a day ago or more.
async fn renew_if_due(session: &Session) -> Result<(), AppError> {
    let now = clock::now().timestamp();
    let renewed = session
        .get::<i64>(RENEWED_KEY)
        .await
        .map_err(session_error)?;
    if renewed.is_none_or(|at| now - at >= RENEW_EVERY_SECS) {
        session
            .insert(RENEWED_KEY, now)
            .await
            .map_err(session_error)?;
    }
    Ok(())
}

pub async fn require_user() -> Result<Actor, AppError> {
    actor().await?.ok_or(AppError::Unauthenticated)
}

pub async fn require_business() -> Result<Actor, AppError> {
    Ok(require_user().await?.require(Role::Business)?)
}

pub async fn require_client() -> Result<Actor, AppError> {
    Ok(require_user().await?.require(Role::Client)?)
}

/// Starts a logged-in session under a new id, so an id planted before login is worthless. The
/// account is kept in it too: every page's header shows who is logged in without reading the
/// database (nothing changes an account once it is made).
pub async fn log_in(account: &Account) -> Result<(), AppError> {
    let session = session().await?;
    session.cycle_id().await.map_err(session_error)?;
    let actor = Actor {
        user_id: account.id,
        role: account.role,
    };
    session
        .insert(ACTOR_KEY, actor)
        .await
        .map_err(session_error)?;
    session
        .insert(RENEWED_KEY, clock::now().timestamp())
        .await
        .map_err(session_error)?;
    keep_account(&session, account).await
}

/// The logged-in account as kept by `log_in`, if any.
pub async fn account_in(session: &Session) -> Result<Option<Account>, AppError> {
    session
        .get::<Account>(ACCOUNT_KEY)
        .await
        .map_err(session_error)
}

/// Who is logged in to a session, as far as the session alone tells.
pub enum Viewer {
    Nobody,
    Account(Account),
    /// Logged in before accounts were kept in sessions: the account is still to be read.
    Unread(Actor),
}

pub async fn viewer_in(session: &Session) -> Result<Viewer, AppError> {
    if let Some(account) = account_in(session).await? {
        renew_if_due(session).await?;
        return Ok(Viewer::Account(account));
    }
    Ok(actor_in(session)
        .await?
        .map_or(Viewer::Nobody, Viewer::Unread))
}

/// Keeps `account` in `session`, for the pages that show it.
pub async fn keep_account(session: &Session, account: &Account) -> Result<(), AppError> {
    session
        .insert(ACCOUNT_KEY, account)
        .await
        .map_err(session_error)
}

/// Ends the session everywhere: it is deleted from the shared store.
pub async fn log_out() -> Result<(), AppError> {
    session().await?.flush().await.map_err(session_error)
}

/// Keeps what a refused plain form post held, for the page it goes back to. With JavaScript
/// the browser keeps the form as it is, so nothing is stored.
pub async fn keep_form(form: &str, echo: KeptForm) -> Result<(), AppError> {
    if !request::is_plain_form_post() {
        return Ok(());
    }
    session()
        .await?
        .insert(&format!("form:{form}"), echo)
        .await
        .map_err(session_error)
}

/// What [`keep_form`] kept, once.
pub async fn take_form(form: &str) -> Result<KeptForm, AppError> {
    let kept = session()
        .await?
        .remove::<KeptForm>(&format!("form:{form}"))
        .await
        .map_err(session_error)?;
    Ok(kept.unwrap_or_default())
}

/// The client's address: the peer, or the first `X-Forwarded-For` hop when the server is
/// configured to trust its proxy.
pub async fn client_address() -> String {
    let trust_proxy = app_state().map(|s| s.trust_proxy).unwrap_or(false);
    if trust_proxy
        && let Some(forwarded) = use_context::<Parts>().and_then(|parts| {
            let header = parts.headers.get("x-forwarded-for")?.to_str().ok()?;
            Some(header.split(',').next()?.trim().to_owned())
        })
        && !forwarded.is_empty()
    {
        return forwarded;
    }
    match leptos_axum::extract::<ConnectInfo<SocketAddr>>().await {
        Ok(ConnectInfo(peer)) => peer.ip().to_string(),
        Err(_) => "unknown".to_owned(),
    }
}
