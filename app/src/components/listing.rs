use leptos::prelude::*;
use leptos_i18n::I18nContext;
use leptos_router::components::A;

use crate::{
    components::{
        form::{CheckboxGroup, FormAlert, FormState, SelectField, TextArea, TextField},
        island_i18n,
        upload::Progress,
    },
    dto::{
        Category, DietaryTag, ImageRef, KeptForm, ListingCard, ListingDetail, ListingState, Unit,
        datetime_local, duration_text, quantity_text, short_datetime,
    },
    error::{AppError, Field},
    i18n::*,
    labels::{category_label, quantity_label, state_label, tag_label, unit_label},
    limits::{DESCRIPTION_MAX, ITEM_NAME_MAX, MAX_UPLOAD_BYTES},
};

#[component]
pub fn StateBadge(state: ListingState) -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <span class=format!("badge state-{}", state.as_str()) data-testid="state">
            {state_label(i18n, state)}
        </span>
    }
}

/// An image whose space is reserved before it loads, so nothing on the page jumps.
#[component]
pub fn Picture(
    image: ImageRef,
    #[prop(into)] alt: String,
    #[prop(optional)] eager: bool,
) -> impl IntoView {
    view! {
        <img
            src=image.url
            width=image.width
            height=image.height
            alt=alt
            loading=if eager { "eager" } else { "lazy" }
            decoding="async"
        />
    }
}

/// A listing on the browse page.
#[component]
pub fn ListingCardView(card: ListingCard) -> impl IntoView {
    let i18n = use_i18n();
    let href = format!("/listings/{}", card.id);
    let deadline = short_datetime(card.available_until);
    let left = duration_text(card.minutes_left);
    let quantity = move || quantity_label(i18n.get_locale(), card.quantity, card.unit);

    view! {
        <li class="card" data-testid="listing-card">
            <A href=href attr:class="card-link">
                <div class="card-image">
                    {card.thumbnail.map(|image| view! { <Picture image alt=card.item_name.clone() /> })}
                </div>
                <div class="card-body">
                    <h3>{card.item_name.clone()}</h3>
                    <p class="quantity">{quantity}</p>
                    <p class="business">{card.business_name}</p>
                    <p class="muted">{card.pickup_location}</p>
                    <p class="deadline">
                        {t!(i18n, time_left, left = move || left.clone())} " · "
                        {t!(i18n, available_until_short, time = move || deadline.clone())}
                    </p>
                </div>
            </A>
        </li>
    }
}

/// The form that posts a listing (`existing` = None) or changes one: an island. Alive, it
/// shows the chosen photo, sends it with a progress bar and stays on the page if refused;
/// without JavaScript (or before it loads) it is a plain multipart post, and a refusal comes
/// back with the fields kept (but the file input, which no page can refill).
#[island]
pub fn ListingEditor(
    existing: Option<ListingDetail>,
    kept: KeptForm,
    /// The refusal of a plain form post, read from the URL by the page.
    refused: Option<AppError>,
) -> impl IntoView {
    let i18n = island_i18n();
    let sent_error = RwSignal::new(None::<AppError>);
    let form = FormState::from_error(
        Signal::derive(move || sent_error.get().or_else(|| refused.clone())),
        kept,
    );
    let progress: Progress = RwSignal::new(None);
    let preview = RwSignal::new(None::<String>);
    let endpoint = if existing.is_some() {
        "/api/update_listing"
    } else {
        "/api/create_listing"
    };

    let on_submit = move |ev: leptos::ev::SubmitEvent| {
        #[cfg(feature = "hydrate")]
        crate::components::upload::send(ev, endpoint, progress, sent_error, || {
            let _ = window().location().set_href("/business");
        });
        #[cfg(not(feature = "hydrate"))]
        let _ = ev;
    };
    let on_photo = move |ev: leptos::ev::Event| {
        #[cfg(feature = "hydrate")]
        preview.set(crate::components::upload::preview_of(&ev));
        #[cfg(not(feature = "hydrate"))]
        let _ = ev;
    };

    let tr = |f: fn(I18nContext<Locale>) -> String| Signal::derive(move || f(i18n));
    let units = Unit::ALL
        .iter()
        .map(|&u| {
            let label = Signal::derive(move || unit_label(i18n.get_locale(), u).to_owned());
            (u.as_str(), label)
        })
        .collect();
    let categories = Category::ALL
        .iter()
        .map(|&c| (c.as_str(), Signal::derive(move || category_label(i18n, c))))
        .collect();
    let tags = DietaryTag::ALL
        .iter()
        .map(|&t| (t.as_str(), Signal::derive(move || tag_label(i18n, t))))
        .collect();
    let photo_problem = form.message(Field::Photo);
    let e = existing.as_ref();
    let current_photo = e.and_then(|l| l.thumbnail.clone());
    let is_new = existing.is_none();
    let max_mb = MAX_UPLOAD_BYTES / (1024 * 1024);

    view! {
        <form method="post" action=endpoint enctype="multipart/form-data" class="form" on:submit=on_submit>
            <FormAlert form />
            {e.map(|l| view! { <input type="hidden" name="listing_id" value=l.id /> })}
            <TextField
                form
                field=Field::ItemName
                name="item_name"
                label=tr(|i| t_string!(i, field_item_name).to_string())
                maxlength=ITEM_NAME_MAX
                initial=e.map(|l| l.item_name.clone())
            />
            <div class="row">
                <TextField
                    form
                    field=Field::Quantity
                    name="quantity"
                    label=tr(|i| t_string!(i, field_quantity).to_string())
                    inputmode="decimal"
                    initial=e.map(|l| quantity_text(l.quantity))
                />
                <SelectField
                    form
                    field=Field::Unit
                    name="unit"
                    label=tr(|i| t_string!(i, field_unit).to_string())
                    options=units
                    initial=e.map(|l| l.unit.as_str().to_owned())
                />
            </div>
            <SelectField
                form
                field=Field::Category
                name="category"
                label=tr(|i| t_string!(i, field_category).to_string())
                options=categories
                initial=e.map(|l| l.category.as_str().to_owned())
            />
            <CheckboxGroup
                form
                field=Field::DietaryTags
                name="dietary_tags"
                legend=tr(|i| t_string!(i, field_dietary_tags).to_string())
                options=tags
                initial=e.map(|l| l.dietary_tags.iter().map(|t| t.as_str().to_owned()).collect()).unwrap_or_default()
            />
            <TextArea
                form
                field=Field::Description
                name="description"
                label=tr(|i| t_string!(i, field_description).to_string())
                maxlength=DESCRIPTION_MAX
                initial=e.map(|l| l.description.clone())
            />
            <div class="row">
                <TextField
                    form
                    field=Field::PickupFrom
                    name="pickup_from"
                    kind="datetime-local"
                    required=false
                    label=tr(|i| t_string!(i, field_pickup_from).to_string())
                    initial=e.and_then(|l| l.pickup_from.map(datetime_local))
                />
                <TextField
                    form
                    field=Field::AvailableUntil
                    name="available_until"
                    kind="datetime-local"
                    label=tr(|i| t_string!(i, field_available_until).to_string())
                    hint=tr(|i| t_string!(i, field_available_until_hint).to_string())
                    initial=e.map(|l| datetime_local(l.available_until))
                />
            </div>
            <div class="field" class:invalid=move || photo_problem().is_some()>
                <label for="field-photo">{t!(i18n, field_photo)}</label>
                {move || match preview.get() {
                    Some(url) => view! { <img class="preview" src=url alt="" data-testid="photo-preview" /> }.into_any(),
                    None => current_photo.clone().map(|image| view! { <Picture image alt="" eager=true /> }).into_any(),
                }}
                <input
                    id="field-photo"
                    name="photo"
                    type="file"
                    accept="image/jpeg,image/png,image/webp"
                    required=is_new
                    on:change=on_photo
                    aria-describedby="field-photo-hint"
                />
                <p class="hint" id="field-photo-hint">{t!(i18n, field_photo_hint, max_mb = max_mb)}</p>
                {move || photo_problem().map(|text| view! { <p class="field-error" id="field-photo-error">{text}</p> })}
            </div>
            {move || {
                progress
                    .get()
                    .map(|sent| {
                        view! {
                            <div class="upload-progress" role="status">
                                <progress max="1" value=sent></progress>
                                <span>{t!(i18n, uploading, percent = (sent * 100.0).round() as u32)}</span>
                            </div>
                        }
                    })
            }}
            <button type="submit" class="button" disabled=move || progress.get().is_some()>
                {if is_new { t!(i18n, listing_post).into_any() } else { t!(i18n, listing_save).into_any() }}
            </button>
        </form>
    }
}
