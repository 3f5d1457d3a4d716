//! Who is logged in, as the pages see it: one context for every page.

use leptos::prelude::*;

use crate::{api::current_user, dto::Account, error::AppError};

/// Who is logged in, for every page.
#[derive(Clone, Copy)]
pub struct Auth {
    pub user: Resource<Result<Option<Account>, AppError>>,
}

impl Auth {
    pub fn provide() {
        let user = Resource::new(|| (), |_| current_user());
        provide_context(Auth { user });
    }
}
