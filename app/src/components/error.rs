use leptos::prelude::*;
use leptos_i18n::I18nContext;
use leptos_router::{components::Redirect, hooks::use_location, location::Url};

use crate::{
    dto::ListingState,
    error::{AppError, Problem},
    i18n::*,
};

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
    let location = use_location();
    let here = format!(
        "{}{}",
        location.pathname.get_untracked(),
        location.search.get_untracked()
    );
    let search = if here.is_empty() {
        String::new()
    } else {
        format!("?{}", Url::escape(&here))
    };
    view! { <Redirect path=format!("/login{}", search.replacen('?', "?next=", 1)) /> }
}
