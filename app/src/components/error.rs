use leptos::prelude::*;
use leptos_i18n::I18nContext;
use leptos_router::location::Url;
#[cfg(not(feature = "hydrate"))]
use leptos_router::{components::Redirect, hooks::use_location};

use crate::{
    dto::{ListingState, Outcome, short_datetime},
    error::{AppError, Problem, Refusal},
    i18n::*,
};

/// What became of a claim, as a short label.
pub fn outcome_text(i18n: I18nContext<Locale>, outcome: Outcome, late: bool) -> String {
    match outcome {
        Outcome::Cancelled if late => t_string!(i18n, outcome_cancelled_late).to_string(),
        Outcome::Cancelled => t_string!(i18n, outcome_cancelled).to_string(),
        Outcome::Collected => t_string!(i18n, outcome_collected).to_string(),
        Outcome::NotCollected => t_string!(i18n, outcome_not_collected).to_string(),
    }
}

/// Why a step of a claim's life was refused, and what the user can do next.
fn refusal_text(i18n: I18nContext<Locale>, refusal: &Refusal) -> String {
    match *refusal {
        Refusal::LiveLimit { max, next_free } => t_string!(
            i18n,
            error_live_limit,
            max = max,
            time = next_free.map(short_datetime).unwrap_or_default()
        )
        .to_string(),
        Refusal::DailyLimit { max, until } => t_string!(
            i18n,
            error_daily_limit,
            max = max,
            time = short_datetime(until)
        )
        .to_string(),
        Refusal::Settled { outcome } => t_string!(
            i18n,
            error_settled,
            outcome = outcome_text(i18n, outcome, false)
        )
        .to_string(),
        Refusal::DeadlinePassed => t_string!(i18n, error_deadline_passed).to_string(),
        Refusal::PickupNotYet { from } => {
            t_string!(i18n, pickup_from_time, time = short_datetime(from)).to_string()
        }
        Refusal::NothingToWaitFor => t_string!(i18n, error_nothing_to_wait_for).to_string(),
    }
}

/// What is wrong with a field, in the user's language.
pub fn problem_text(i18n: I18nContext<Locale>, problem: &Problem) -> String {
    match problem {
        Problem::Required => t_string!(i18n, problem_required).to_string(),
        Problem::TooLong { max } => t_string!(i18n, problem_too_long, max = *max).to_string(),
        Problem::TooShort { min } => t_string!(i18n, problem_too_short, min = *min).to_string(),
        Problem::EmailInvalid => t_string!(i18n, problem_email_invalid).to_string(),
        Problem::EmailTaken => t_string!(i18n, problem_email_taken).to_string(),
        Problem::PhoneInvalid => t_string!(i18n, problem_phone_invalid).to_string(),
        Problem::PhoneNeedsCountryCode => t_string!(i18n, problem_phone_country).to_string(),
        Problem::PasswordTooCommon => t_string!(i18n, problem_password_common).to_string(),
        Problem::NotAChoice => t_string!(i18n, problem_not_a_choice).to_string(),
        Problem::NotAQuantity => t_string!(i18n, problem_not_a_quantity).to_string(),
        Problem::NotADateTime => t_string!(i18n, problem_not_a_datetime).to_string(),
        Problem::InThePast => t_string!(i18n, problem_in_the_past).to_string(),
        Problem::TooFarAhead { days } => {
            t_string!(i18n, problem_too_far_ahead, days = *days).to_string()
        }
        Problem::PickupAfterDeadline => t_string!(i18n, problem_pickup_after_deadline).to_string(),
        Problem::NotAPhoto => t_string!(i18n, problem_not_a_photo).to_string(),
        Problem::PhotoTooLarge { max_mb } => {
            t_string!(i18n, problem_photo_too_large, max_mb = *max_mb).to_string()
        }
        Problem::PhotoTooManyPixels { max_side } => {
            t_string!(i18n, problem_photo_too_many_pixels, max_side = *max_side).to_string()
        }
        Problem::PhotoDamaged => t_string!(i18n, problem_photo_damaged).to_string(),
    }
}

/// A whole-request error, in the user's language.
pub fn error_text(i18n: I18nContext<Locale>, error: &AppError) -> String {
    match error {
        AppError::InvalidCredentials => t_string!(i18n, error_invalid_credentials).to_string(),
        AppError::RateLimited { retry_after_secs } => t_string!(
            i18n,
            error_rate_limited,
            minutes = retry_after_secs.div_ceil(60)
        )
        .to_string(),
        AppError::Forbidden => t_string!(i18n, error_forbidden).to_string(),
        AppError::Unavailable { state } => match state {
            ListingState::Claimed => t_string!(i18n, error_already_claimed).to_string(),
            ListingState::Expired => t_string!(i18n, error_expired).to_string(),
            ListingState::Withdrawn => t_string!(i18n, error_withdrawn).to_string(),
            ListingState::Available => t_string!(i18n, error_internal).to_string(),
        },
        AppError::Refused(refusal) => refusal_text(i18n, refusal),
        AppError::NotFound => t_string!(i18n, error_not_found).to_string(),
        AppError::Validation(_) => t_string!(i18n, error_check_fields).to_string(),
        AppError::Transport(_) => t_string!(i18n, error_network).to_string(),
        AppError::BadRequest(_) => t_string!(i18n, error_bad_request).to_string(),
        AppError::TooLarge => t_string!(i18n, error_too_large).to_string(),
        AppError::Unauthenticated | AppError::Internal => {
            t_string!(i18n, error_internal).to_string()
        }
    }
}

/// A failed request: not logged in sends the user to log in (and back here afterwards);
/// anything else is told in the user's language.
#[component]
pub fn ErrorMessage(error: AppError) -> impl IntoView {
    let i18n = use_i18n();
    if error == AppError::Unauthenticated {
        return view! { <LoginRedirect /> }.into_any();
    }
    view! { <p class="alert error" role="alert">{move || error_text(i18n, &error)}</p> }.into_any()
}

/// Sends the user to the login page, which brings them back to this page.
#[component]
pub fn LoginRedirect() -> impl IntoView {
    // On the server, as the page renders. In the browser only islands render, with no router:
    // the browser goes there itself.
    #[cfg(not(feature = "hydrate"))]
    {
        let location = use_location();
        let here = format!(
            "{}{}",
            location.pathname.get_untracked(),
            location.search.get_untracked()
        );
        view! { <Redirect path=login_path(&here) /> }
    }
    #[cfg(feature = "hydrate")]
    {
        let location = window().location();
        let here = format!(
            "{}{}",
            location.pathname().unwrap_or_default(),
            location.search().unwrap_or_default()
        );
        let _ = location.set_href(&login_path(&here));
    }
}

/// The login page, coming back to `here` afterwards.
fn login_path(here: &str) -> String {
    if here.is_empty() {
        "/login".to_owned()
    } else {
        format!("/login?next={}", Url::escape(here))
    }
}
