use leptos::prelude::*;
use leptos::server_fn::ServerFn;
use leptos_i18n::I18nContext;
use leptos_router::components::A;

use crate::{
    api::{CreateListing, UpdateListing},
    components::{
        error::{error_text, problem_text},
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

/// An image whose space is reserved before it loads, so nothing on the page jumps. A lazy one
/// (a thumbnail) is also fetched at low priority: on a slow connection the page's code, which
/// makes it live, comes first.
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
            fetchpriority=(!eager).then_some("low")
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

/// The form that posts a listing (`existing` = None) or changes one. Its fields are the
/// server's HTML: without JavaScript (or before it loads) it is a plain multipart post, and a
/// refusal comes back with the fields kept and their problems shown (but the file input, which
/// no page can refill). The photo, its preview, the upload's progress and the send button are
/// an island, [`PhotoUpload`].
#[component]
pub fn ListingEditor(
    existing: Option<ListingDetail>,
    kept: KeptForm,
    /// The refusal of a plain form post, read from the URL by the page.
    refused: Option<AppError>,
) -> impl IntoView {
    let i18n = use_i18n();
    let form = FormState::from_error(Signal::stored(refused.clone()), kept);
    let endpoint = if existing.is_some() {
        UpdateListing::PATH
    } else {
        CreateListing::PATH
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
    let e = existing.as_ref();
    let current = e.and_then(|l| l.thumbnail.clone());

    view! {
        <form method="post" action=endpoint enctype="multipart/form-data" class="form">
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
            <PhotoUpload endpoint=endpoint.to_owned() is_new=existing.is_none() current refused />
        </form>
    }
}

/// The listing form's photo, with a preview of the one chosen, and its send button. Alive, it
/// sends the form itself, with a progress bar (through XMLHttpRequest: fetch reports none),
/// and a refusal is shown here while the form keeps everything, the chosen photo too; the
/// browser goes to the business's dashboard once the listing is saved.
#[island]
fn PhotoUpload(
    endpoint: String,
    is_new: bool,
    /// The listing's current photo, when it is changed.
    current: Option<ImageRef>,
    /// A plain post's refusal (its other fields show theirs).
    refused: Option<AppError>,
) -> impl IntoView {
    let i18n = island_i18n();
    let refused = StoredValue::new(refused);
    let sent_error = RwSignal::new(None::<AppError>);
    let progress: Progress = RwSignal::new(None);
    let preview = RwSignal::new(None::<String>);
    let input = NodeRef::<leptos::html::Input>::new();
    #[cfg(feature = "hydrate")]
    crate::components::upload::take_over_submit(input, endpoint, progress, sent_error);
    #[cfg(not(feature = "hydrate"))]
    let _ = (endpoint, input);

    let on_photo = move |ev: leptos::ev::Event| {
        #[cfg(feature = "hydrate")]
        preview.set(crate::components::upload::preview_of(&ev));
        #[cfg(not(feature = "hydrate"))]
        let _ = ev;
    };
    let error = move || sent_error.get().or_else(|| refused.get_value());
    let photo_problem =
        move || error().and_then(|e| e.problem(Field::Photo).map(|p| problem_text(i18n, p)));
    // After this island's own sending, what else was refused: the other fields are the server's
    // HTML, so their problems are told here, each with its field's label.
    let others = move || {
        let error = sent_error.get()?;
        let text = match &error {
            AppError::Validation(problems) => problems
                .iter()
                .filter(|p| p.field != Field::Photo)
                .map(|p| {
                    let problem = problem_text(i18n, &p.problem);
                    match label_of(p.field) {
                        Some(label) => format!("{label}: {problem}"),
                        None => problem,
                    }
                })
                .collect::<Vec<_>>()
                .join(" · "),
            error => error_text(i18n, error),
        };
        (!text.is_empty()).then(|| view! { <p class="alert error" role="alert">{text}</p> })
    };
    let max_mb = MAX_UPLOAD_BYTES / (1024 * 1024);
    let described_by = move || {
        if photo_problem().is_some() {
            "field-photo-hint field-photo-error"
        } else {
            "field-photo-hint"
        }
    };

    view! {
        <div class="field" class:invalid=move || photo_problem().is_some()>
            <label for="field-photo">{t!(i18n, field_photo)}</label>
            {move || match preview.get() {
                Some(url) => view! { <img class="preview" src=url alt="" data-testid="photo-preview" /> }.into_any(),
                None => current.clone().map(|image| view! { <Picture image alt="" eager=true /> }).into_any(),
            }}
            <input
                id="field-photo"
                name="photo"
                type="file"
                accept="image/jpeg,image/png,image/webp"
                required=is_new
                on:change=on_photo
                node_ref=input
                aria-invalid=move || photo_problem().is_some().then_some("true")
                aria-describedby=described_by
            />
            <p class="hint" id="field-photo-hint">{t!(i18n, field_photo_hint, max_mb = max_mb)}</p>
            {move || photo_problem().map(|text| view! { <p class="field-error" id="field-photo-error">{text}</p> })}
        </div>
        {others}
        {move || {
            progress
                .get()
                .map(|sent| {
                    // Whole percents: the WASM then carries no float formatting.
                    let percent = (sent * 100.0).round() as u32;
                    view! {
                        <div class="upload-progress" role="status">
                            <progress max="100" value=percent></progress>
                            <span>{t!(i18n, uploading, percent = percent)}</span>
                        </div>
                    }
                })
        }}
        <button type="submit" class="button" disabled=move || progress.get().is_some()>
            {if is_new { t!(i18n, listing_post).into_any() } else { t!(i18n, listing_save).into_any() }}
        </button>
    }
}

/// A field's label as the page shows it: in the browser only, where this island sends the
/// form (the server never renders a refusal of its own sending).
fn label_of(field: Field) -> Option<String> {
    #[cfg(feature = "hydrate")]
    {
        // The field's name is its wire name, as the server's form writes it in each id.
        let name = serde_json::to_string(&field).ok()?;
        document()
            .query_selector(&format!("label[for=field-{}]", name.trim_matches('"')))
            .ok()
            .flatten()
            .and_then(|label| label.text_content())
    }
    #[cfg(not(feature = "hydrate"))]
    {
        let _ = field;
        None
    }
}
