use leptos::prelude::*;
use leptos_router::{components::A, hooks::use_query_map};

use crate::{
    api::{Login, form_echo},
    components::form::{FormAlert, FormState, TextField},
    components::layout::PageTitle,
    error::Field,
    i18n::*,
};

#[component]
pub fn LoginPage() -> impl IntoView {
    let i18n = use_i18n();
    let login = ServerAction::<Login>::new();
    let query = use_query_map();
    // Where to go back to; the server only follows paths on this site.
    let next = move || query.read().get("next").unwrap_or_default();
    let kept = Resource::new(|| (), |_| form_echo("login".to_owned()));

    view! {
        <section class="panel narrow">
            <PageTitle title=t_string!(i18n, login_title).to_string() />
            <h1>{t!(i18n, login_title)}</h1>
            <Suspense>
                {move || Suspend::new(async move {
                    let form = FormState::new(login.value(), kept.await.unwrap_or_default());
                    view! {
                        <ActionForm action=login attr:class="form">
                            <FormAlert form />
                            <input type="hidden" name="next" value=next />
                            <TextField
                                form
                                field=Field::Email
                                name="email"
                                kind="email"
                                label=Signal::derive(move || t_string!(i18n, field_email).to_string())
                                autocomplete="username"
                            />
                            <TextField
                                form
                                field=Field::Password
                                name="password"
                                kind="password"
                                label=Signal::derive(move || t_string!(i18n, field_password).to_string())
                                autocomplete="current-password"
                            />
                            <button type="submit" class="button" disabled=move || login.pending().get()>
                                {t!(i18n, login_submit)}
                            </button>
                        </ActionForm>
                    }
                })}
            </Suspense>
            <p>{t!(i18n, no_account)} " " <A href="/register">{t!(i18n, nav_register)}</A></p>
        </section>
    }
}
