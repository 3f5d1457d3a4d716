use leptos::prelude::*;

use crate::{
    components::auth::Auth,
    components::{
        account::AccountDetails,
        error::{ErrorMessage, LoginRedirect},
        layout::PageTitle,
    },
    i18n::*,
};

/// Any logged-in user: who they are on FoodBridge.
#[component]
pub fn AccountPage() -> impl IntoView {
    let i18n = use_i18n();
    let auth = expect_context::<Auth>();

    view! {
        <section class="panel">
            <PageTitle title=t_string!(i18n, account_title).to_string() />
            <h1>{t!(i18n, account_title)}</h1>
            <Suspense>
                {move || Suspend::new(async move {
                    match auth.user.await {
                        Ok(Some(account)) => view! { <AccountDetails account /> }.into_any(),
                        Ok(None) => view! { <LoginRedirect /> }.into_any(),
                        Err(error) => view! { <ErrorMessage error /> }.into_any(),
                    }
                })}
            </Suspense>
        </section>
    }
}
