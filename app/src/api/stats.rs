use leptos::prelude::*;

use crate::{dto::Availability, error::AppError};

/// How many listings can be claimed right now. Public.
#[server(endpoint = "get_availability")]
pub async fn get_availability() -> Result<Availability, AppError> {
    use crate::{api::respond, domain, state::app_state};

    respond(
        async {
            let state = app_state()?;
            let now = domain::clock::now();
            let available_listings = domain::browse::count_available(&state.db, now).await?;
            Ok(Availability {
                available_listings,
                checked_at: now,
            })
        }
        .await,
    )
}
