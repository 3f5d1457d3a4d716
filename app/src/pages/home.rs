use chrono::{DateTime, Utc};
use leptos::prelude::*;

use crate::{
    api::{GetAvailability, get_availability},
    components::{
        layout::PageTitle,
        {error::ErrorMessage, live::Live},
    },
    dto::{Availability, local_time},
    i18n::*,
};

#[component]
pub fn HomePage() -> impl IntoView {
    let i18n = use_i18n();
    let initial = Resource::new(|| (), |_| get_availability());
    // Without JavaScript the form posts to the server function, which sends the browser back
    // here for a fresh render; hydrated, it is a fetch that updates the figure in place.
    let refresh = ServerAction::<GetAvailability>::new();
    let latest = move || refresh.value().get().or_else(|| initial.get());
    // Any listing event may change the figure: fetch it again, in place.
    let live = Live::get();
    let changed = live.version(|_| true);
    Effect::new(move |_| {
        if changed.get() > 0 {
            refresh.dispatch(GetAvailability {});
        }
    });
    // The figure also drops by itself, at the next deadline: look again then, on the page's
    // clock as the cards do. Should the server say the deadline has not come yet (this page's
    // clock runs ahead), wait what it says is left.
    let asked_at = StoredValue::new(None::<DateTime<Utc>>);
    Effect::new(move |_| {
        let Some(Ok(Availability {
            checked_at,
            next_deadline: Some(deadline),
            ..
        })) = latest()
        else {
            return;
        };
        let passed = live.passed(deadline);
        if asked_at.get_value() != Some(deadline) {
            if passed() {
                asked_at.set_value(Some(deadline));
                refresh.dispatch(GetAvailability {});
            }
            return;
        }
        let wait = (deadline - checked_at).to_std().unwrap_or_default();
        if let Ok(timer) = set_timeout_with_handle(
            move || {
                refresh.dispatch(GetAvailability {});
            },
            wait,
        ) {
            on_cleanup(move || timer.clear());
        }
    });

    view! {
        <section class="hero">
            <PageTitle title=t_string!(i18n, home_title).to_string() />
            <h1>{t!(i18n, home_title)}</h1>
            <p class="lead">{t!(i18n, home_intro)}</p>
        </section>

        <section class="panel availability" aria-live="polite">
            <Suspense fallback=|| view! { <p class="count">"…"</p> }>
                {move || {
                    latest()
                        .map(|answer| match answer {
                            Ok(availability) => view! { <AvailabilityFigure availability /> }.into_any(),
                            Err(error) => view! { <ErrorMessage error /> }.into_any(),
                        })
                }}
            </Suspense>
            <ActionForm action=refresh>
                <button type="submit" class="button secondary" disabled=move || refresh.pending().get()>
                    {t!(i18n, refresh)}
                </button>
            </ActionForm>
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

#[component]
fn AvailabilityFigure(availability: Availability) -> impl IntoView {
    let i18n = use_i18n();
    let time = local_time(availability.checked_at);

    view! {
        <p class="count" data-testid="available-count">{availability.available_listings}</p>
        <p>{t!(i18n, available_now)}</p>
        <p class="muted" data-testid="checked-at">{t!(i18n, checked_at, time = move || time.clone())}</p>
    }
}
