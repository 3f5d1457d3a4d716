use leptos::prelude::*;

use crate::{
    dto::{Account, KeptForm, Language, Role},
    error::AppError,
};

/// Creates an account and logs it in. Fields: `role` (`business` or `client`),
/// `display_name` (business or contact name), `pickup_location` (businesses), `email`, `phone`,
/// `password`, `language` (`en` or `fr`).
#[server(endpoint = "register")]
pub async fn register(
    role: Role,
    display_name: String,
    pickup_location: Option<String>,
    email: String,
    phone: String,
    password: String,
    language: Option<Language>,
) -> Result<Account, AppError> {
    use crate::{
        api::respond,
        auth,
        domain::{accounts, clock},
        dto::home,
        state::app_state,
    };

    respond(
        async {
            let state = app_state()?;
            let echo = KeptForm::from([
                ("display_name".to_owned(), display_name.clone()),
                (
                    "pickup_location".to_owned(),
                    pickup_location.clone().unwrap_or_default(),
                ),
                ("email".to_owned(), email.clone()),
                ("phone".to_owned(), phone.clone()),
            ]);
            let form = accounts::Registration {
                role,
                display_name,
                pickup_location,
                email,
                phone,
                password,
                language: language.unwrap_or(Language::En),
            };
            let address = auth::client_address().await;
            let registered =
                accounts::sign_up(&state.db, &state.limiter, form, &address, clock::now()).await;
            let user = match registered {
                Ok(user) => user,
                Err(e) => {
                    auth::keep_form(&format!("register_{}", role.as_str()), echo).await?;
                    return Err(e.into());
                }
            };
            let account = accounts::current_user(user);
            auth::log_in(&account).await?;
            leptos_axum::redirect(home(role));
            Ok(account)
        }
        .await,
    )
}

/// Logs in, then goes to `next` (a path on this site) or the role's home page.
#[server(endpoint = "login")]
pub async fn login(
    email: String,
    password: String,
    next: Option<String>,
) -> Result<Account, AppError> {
    use crate::{
        api::respond,
        auth,
        domain::accounts,
        dto::{home, safe_next},
        state::app_state,
    };

    respond(
        async {
            let state = app_state()?;
            let address = auth::client_address().await;
            let attempt =
                accounts::log_in(&state.db, &state.limiter, &email, &password, &address).await;
            let user = match attempt {
                Ok(user) => user,
                Err(e) => {
                    let echo = KeptForm::from([("email".to_owned(), email)]);
                    auth::keep_form("login", echo).await?;
                    return Err(e.into());
                }
            };
            let account = accounts::current_user(user);
            auth::log_in(&account).await?;
            leptos_axum::redirect(safe_next(next.as_deref()).unwrap_or(home(account.role)));
            Ok(account)
        }
        .await,
    )
}

/// Ends the session on every replica and goes to the home page.
#[server(endpoint = "logout")]
pub async fn logout() -> Result<(), AppError> {
    use crate::{api::respond, auth};

    respond(
        async {
            auth::log_out().await?;
            leptos_axum::redirect("/");
            Ok(())
        }
        .await,
    )
}

/// The logged-in user, or `None`: as kept in the session at login, so showing it on every page
/// reads no database.
#[server(endpoint = "current_user")]
pub async fn current_user() -> Result<Option<Account>, AppError> {
    use crate::{api::respond, auth, domain::accounts, state::app_state};

    respond(
        async {
            let session = auth::session().await?;
            let actor = match auth::viewer_in(&session).await? {
                auth::Viewer::Nobody => return Ok(None),
                auth::Viewer::Account(account) => return Ok(Some(account)),
                auth::Viewer::Unread(actor) => actor,
            };
            // A session begun before accounts were kept in it: read once, then kept.
            match accounts::find_user(&app_state()?.db, actor.user_id).await? {
                Some(user) => {
                    let account = accounts::current_user(user);
                    auth::keep_account(&session, &account).await?;
                    Ok(Some(account))
                }
                // The account is gone: so is the session.
                None => auth::log_out().await.map(|()| None),
            }
        }
        .await,
    )
}

/// What a refused form held when it was posted without JavaScript (see `auth::keep_form`).
#[server(endpoint = "form_echo")]
pub async fn form_echo(form: String) -> Result<KeptForm, AppError> {
    use crate::{api::respond, auth};

    respond(auth::take_form(&form).await)
}

/// The logged-in business's own account. Businesses only.
#[server(endpoint = "my_business")]
pub async fn my_business() -> Result<Account, AppError> {
    use crate::{api::respond, auth, domain::accounts, state::app_state};

    respond(
        async {
            let actor = auth::require_business().await?;
            let user = accounts::find_user(&app_state()?.db, actor.user_id)
                .await?
                .ok_or(AppError::Unauthenticated)?;
            Ok(accounts::current_user(user))
        }
        .await,
    )
}
