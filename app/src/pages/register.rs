use leptos::prelude::*;
use leptos_router::components::A;

use crate::{
    api::{Register, form_echo},
    components::form::{FormAlert, FormState, TextField},
    components::layout::PageTitle,
    dto::Role,
    error::Field,
    i18n::*,
    limits::{LOCATION_MAX, NAME_MAX, PASSWORD_MIN},
};

/// Business or client: the two ways in.
#[component]
pub fn RegisterChoicePage() -> impl IntoView {
    let i18n = use_i18n();

    view! {
        <section class="narrow">
            <PageTitle title=t_string!(i18n, register_title).to_string() />
            <h1>{t!(i18n, register_title)}</h1>
            <p class="lead">{t!(i18n, register_choose)}</p>
            <div class="choices">
                <A href="/register/business" attr:class="choice">
                    <strong>{t!(i18n, register_as_business)}</strong>
                    <span>{t!(i18n, register_as_business_body)}</span>
                </A>
                <A href="/register/client" attr:class="choice">
                    <strong>{t!(i18n, register_as_client)}</strong>
                    <span>{t!(i18n, register_as_client_body)}</span>
                </A>
            </div>
            <p>{t!(i18n, have_account)} " " <A href="/login">{t!(i18n, nav_login)}</A></p>
        </section>
    }
}

#[component]
pub fn RegisterBusinessPage() -> impl IntoView {
    view! { <RegisterForm role=Role::Business /> }
}

#[component]
pub fn RegisterClientPage() -> impl IntoView {
    view! { <RegisterForm role=Role::Client /> }
}

#[component]
fn RegisterForm(role: Role) -> impl IntoView {
    let i18n = use_i18n();
    let register = ServerAction::<Register>::new();
    let kept = Resource::new(
        || (),
        move |_| form_echo(format!("register_{}", role.as_str())),
    );
    let title = move |locale: Locale| match role {
        Role::Business => td_string!(locale, register_business_title),
        Role::Client => td_string!(locale, register_client_title),
    };

    view! {
        <section class="panel narrow">
            <PageTitle title=title(i18n.get_locale()).to_string() />
            <h1>{move || title(i18n.get_locale())}</h1>
            <Suspense>
                {move || Suspend::new(async move {
                    let form = FormState::new(register.value(), kept.await.unwrap_or_default());
                    let name_fields = match role {
                        Role::Business => view! {
                            <TextField
                                form
                                field=Field::BusinessName
                                name="display_name"
                                label=Signal::derive(move || t_string!(i18n, field_business_name).to_string())
                                autocomplete="organization"
                                maxlength=NAME_MAX
                            />
                            <TextField
                                form
                                field=Field::PickupLocation
                                name="pickup_location"
                                label=Signal::derive(move || t_string!(i18n, field_pickup_location).to_string())
                                hint=Signal::derive(move || t_string!(i18n, field_pickup_location_hint).to_string())
                                autocomplete="street-address"
                                maxlength=LOCATION_MAX
                            />
                        }
                        .into_any(),
                        Role::Client => view! {
                            <TextField
                                form
                                field=Field::ContactName
                                name="display_name"
                                label=Signal::derive(move || t_string!(i18n, field_contact_name).to_string())
                                autocomplete="name"
                                maxlength=NAME_MAX
                            />
                        }
                        .into_any(),
                    };
                    view! {
                        <ActionForm action=register attr:class="form">
                            <FormAlert form />
                            <input type="hidden" name="role" value=role.as_str() />
                            <input type="hidden" name="language" value=move || i18n.get_locale().as_str() />
                            {name_fields}
                            <TextField
                                form
                                field=Field::Email
                                name="email"
                                kind="email"
                                label=Signal::derive(move || t_string!(i18n, field_email).to_string())
                                autocomplete="email"
                            />
                            <TextField
                                form
                                field=Field::Phone
                                name="phone"
                                kind="tel"
                                label=Signal::derive(move || t_string!(i18n, field_phone).to_string())
                                hint=Signal::derive(move || t_string!(i18n, field_phone_hint).to_string())
                                autocomplete="tel"
                            />
                            <TextField
                                form
                                field=Field::Password
                                name="password"
                                kind="password"
                                label=Signal::derive(move || t_string!(i18n, field_password).to_string())
                                hint=Signal::derive(move || t_string!(i18n, field_password_hint).to_string())
                                autocomplete="new-password"
                                minlength=PASSWORD_MIN
                            />
                            <button type="submit" class="button" disabled=move || register.pending().get()>
                                {t!(i18n, register_submit)}
                            </button>
                        </ActionForm>
                    }
                })}
            </Suspense>
            <p>{t!(i18n, have_account)} " " <A href="/login">{t!(i18n, nav_login)}</A></p>
        </section>
    }
}
