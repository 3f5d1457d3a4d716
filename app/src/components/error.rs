use leptos::prelude::*;

use crate::{error::AppError, i18n::*};

/// A failed request, told in the user's language.
#[component]
pub fn ErrorMessage(error: AppError) -> impl IntoView {
    let i18n = use_i18n();
    let message = move || match &error {
        AppError::Transport(_) => t_string!(i18n, error_network),
        _ => t_string!(i18n, error_internal),
    };

    view! { <p class="error" role="alert">{message}</p> }
}
