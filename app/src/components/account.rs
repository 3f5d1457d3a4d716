use leptos::prelude::*;

use crate::{
    dto::{Account, Role},
    i18n::*,
};

/// Name, role and contact details of an account.
#[component]
pub fn AccountDetails(account: Account) -> impl IntoView {
    let i18n = use_i18n();
    // Closures, so a language switch relabels them.
    let business = account.role == Role::Business;
    let name_label = move || {
        if business {
            t_string!(i18n, field_business_name)
        } else {
            t_string!(i18n, field_contact_name)
        }
    };
    let role_label = move || {
        if business {
            t_string!(i18n, role_business)
        } else {
            t_string!(i18n, role_client)
        }
    };

    view! {
        <dl class="details" data-testid="account-details">
            <dt>{t!(i18n, account_role)}</dt>
            <dd>{role_label}</dd>
            <dt>{name_label}</dt>
            <dd>{account.display_name}</dd>
            {account.pickup_location.map(|location| view! {
                <dt>{t!(i18n, field_pickup_location)}</dt>
                <dd>{location}</dd>
            })}
            <dt>{t!(i18n, field_email)}</dt>
            <dd>{account.email}</dd>
            <dt>{t!(i18n, field_phone)}</dt>
            <dd>{account.phone}</dd>
        </dl>
    }
}
