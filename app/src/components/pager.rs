use leptos::prelude::*;
use leptos_router::{hooks::use_query_map, location::Url};

use crate::i18n::*;

/// The `after` cursor in the page's address: which page of a list to show.
pub fn after_param() -> Memo<Option<String>> {
    let query = use_query_map();
    Memo::new(move |_| query.read().get("after").filter(|a| !a.is_empty()))
}

/// Links to the older entries of a list and back to its newest: plain links, so they work
/// without JavaScript.
#[component]
pub fn Pager(
    /// The page's path, e.g. `/claims`.
    path: &'static str,
    /// The cursor of the next page, when there are older entries.
    next: Option<String>,
) -> impl IntoView {
    let i18n = use_i18n();
    let paged = after_param().get_untracked().is_some();
    (paged || next.is_some()).then(|| {
        view! {
            <p class="more">
                {paged.then(|| view! { <a class="button secondary" href=path>{t!(i18n, newest_entries)}</a> })}
                {next.map(|after| view! {
                    <a class="button secondary" href=format!("{path}?after={}", Url::escape(&after))>
                        {t!(i18n, older_entries)}
                    </a>
                })}
            </p>
        }
    })
}
