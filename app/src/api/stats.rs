use leptos::prelude::*;

use crate::{dto::Availability, error::AppError};

/// How many listings can be claimed right now. Public.
#[server(endpoint = "get_availability")]
pub async fn get_availability() -> Result<Availability, AppError> {
    use crate::{api::respond, domain, state::app_state};

    respond(
        async {
            let state = app_state()?;
            Ok(domain::browse::availability(&state.db, chrono::Utc::now()).await?)
        }
        .await,
    )
}
