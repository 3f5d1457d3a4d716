use leptos::{prelude::*, server_fn::ServerFn};

#[cfg(feature = "hydrate")]
use crate::components::live;
use crate::{
    api::{GetAvailability, get_availability},
    components::{error::ErrorMessage, island_i18n, layout::PageTitle, post::Post},
    dto::{Availability, local_time},
    i18n::*,
};

#[component]
pub fn HomePage() -> impl IntoView {
    let i18n = use_i18n();
    let availability = Resource::new(|| (), |_| get_availability());

    view! {
        <section class="hero">
            <PageTitle title=t_string!(i18n, home_title).to_string() />
            <h1>{t!(i18n, home_title)}</h1>
            <p class="lead">{t!(i18n, home_intro)}</p>
        </section>

        <section class="panel availability" aria-live="polite">
            <Suspense>
                {move || Suspend::new(async move {
                    match availability.await {
                        Ok(availability) => view! { <AvailabilityPanel availability /> }.into_any(),
                        Err(error) => view! { <ErrorMessage error /> }.into_any(),
                    }
                })}
            </Suspense>
        </section>

        <section class="panel">
            <h2>{t!(i18n, how_title)}</h2>
            <ol class="steps">
                <li>{t!(i18n, how_business)}</li>
                <li>{t!(i18n, how_client)}</li>
                <li>{t!(i18n, how_pickup)}</li>
            </ol>
        </section>
    }
}

/// How many listings can be claimed now: an island. Without JavaScript its button posts to
/// the server function, which sends the browser back here for a fresh render. Alive, the
/// button asks in place, and so does any listing event and the next deadline, when the figure
/// drops by itself.
#[island]
fn AvailabilityPanel(availability: Availability) -> impl IntoView {
    let i18n = island_i18n();
    let refresh = Post::<Availability>::new(GetAvailability::PATH, None);
    let first = StoredValue::new(availability);
    let latest = move || refresh.value().unwrap_or_else(|| Ok(first.get_value()));
    #[cfg(feature = "hydrate")]
    {
        let ask = move || refresh.send_now();
        live::on_each_event(ask);
        Effect::new(move |_| {
            // The first figure came with the page; the others, just now.
            let received = match refresh.value() {
                None => live::page_received(),
                Some(_) => live::received_now(),
            };
            let Ok(Availability {
                checked_at,
                next_deadline: Some(deadline),
                ..
            }) = latest()
            else {
                return;
            };
            if let Ok(timer) =
                set_timeout_with_handle(ask, live::wait_until(deadline, checked_at, received))
            {
                on_cleanup(move || timer.clear());
            }
        });
    }

    view! {
        {move || match latest() {
            Ok(availability) => {
                let time = local_time(availability.checked_at);
                view! {
                    <p class="count" data-testid="available-count">{availability.available_listings}</p>
                    <p>{t!(i18n, available_now)}</p>
                    <p class="muted" data-testid="checked-at">{t!(i18n, checked_at, time = move || time.clone())}</p>
                }
                .into_any()
            }
            Err(error) => view! { <ErrorMessage error /> }.into_any(),
        }}
        <form method="post" action=refresh.endpoint() on:submit=refresh.on_submit()>
            <button type="submit" class="button secondary" disabled=move || refresh.pending()>
                {t!(i18n, refresh)}
            </button>
        </form>
    }
}
