//! Who is logged in, as the pages see it: one context for every page.

use leptos::prelude::*;

use crate::{api::current_user, dto::Account, error::AppError};

/// Who is logged in, for every page.
#[derive(Clone, Copy)]
pub struct Auth {
    pub user: Resource<Result<Option<Account>, AppError>>,
    changes: RwSignal<usize>,
}

impl Auth {
    pub fn provide() {
        let changes = RwSignal::new(0);
        let user = Resource::new(move || changes.get(), |_| current_user());
        provide_context(Auth { user, changes });
    }

    /// Fetches the user again each time an action (log in, register, log out) completes.
    ///
    /// The actions themselves belong to their pages: a plain form post's error comes back in
    /// the URL, and only an action created under `<Routes>` picks it up.
    pub fn refresh_after(self, action_version: impl Get<Value = usize> + Send + Sync + 'static) {
        Effect::new(move |_| {
            if action_version.get() > 0 {
                self.changes.update(|n| *n += 1);
            }
        });
    }
}
