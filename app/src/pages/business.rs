use leptos::prelude::*;

use crate::{
    api::my_business,
    components::{account::AccountDetails, error::ErrorMessage},
    i18n::*,
};

/// The business dashboard. Only businesses may see it: the server function refuses anyone else.
#[component]
pub fn BusinessPage() -> impl IntoView {
    let i18n = use_i18n();
    let business = Resource::new(|| (), |_| my_business());

    view! {
        <section class="panel">
            <h1>{t!(i18n, business_title)}</h1>
            <Suspense>
                {move || Suspend::new(async move {
                    match business.await {
                        Ok(account) => view! {
                            <p class="lead">{t!(i18n, business_intro)}</p>
                            <AccountDetails account />
                        }
                        .into_any(),
                        Err(error) => view! { <ErrorMessage error /> }.into_any(),
                    }
                })}
            </Suspense>
        </section>
    }
}
