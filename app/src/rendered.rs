//! HTML already rendered from some data, kept to be sent again while that data is the same.
//!
//! Neither cache here can go stale: an entry is served only for data equal to the data it was
//! rendered from, so whatever keeps the data true (the browse cache, which every listing event
//! on every replica invalidates) keeps its HTML true. What they save is the rendering: most of
//! a busy page's time on the server. Two levels: a browse page's cards ([`Rendered`]), and
//! whole browse pages ([`Pages`]), served to every viewer with their own header put in.

use std::{
    collections::HashMap,
    hash::Hash,
    sync::{Arc, Mutex, MutexGuard},
};

use axum::http::{HeaderMap, Uri, header, request::Parts};
use chrono::{DateTime, Utc};
use leptos::prelude::use_context;

use crate::{
    domain::browse::BrowseQuery,
    dto::{Account, ListingCard, Page},
    locale::COOKIE_NAME,
};

/// Entries kept at most (searches make the keys unbounded); past it a cache starts afresh.
const MAX_ENTRIES: usize = 512;

/// A map of at most [`MAX_ENTRIES`].
struct Bounded<K, V>(Mutex<HashMap<K, V>>);

impl<K, V> Default for Bounded<K, V> {
    fn default() -> Self {
        Bounded(Mutex::default())
    }
}

impl<K: Hash + Eq, V> Bounded<K, V> {
    fn lock(&self) -> MutexGuard<'_, HashMap<K, V>> {
        self.0.lock().unwrap_or_else(|p| p.into_inner())
    }

    fn insert(&self, key: K, value: V) {
        let mut entries = self.lock();
        if entries.len() >= MAX_ENTRIES && !entries.contains_key(&key) {
            entries.clear();
        }
        entries.insert(key, value);
    }
}

/// The last HTML rendered under each key, with the data it was rendered from.
pub struct Rendered<K, D> {
    entries: Bounded<K, (D, Arc<str>)>,
}

impl<K, D> Default for Rendered<K, D> {
    fn default() -> Self {
        Rendered {
            entries: Bounded::default(),
        }
    }
}

impl<K: Hash + Eq, D: PartialEq> Rendered<K, D> {
    /// The HTML of `data` under `key`: the kept one if it was rendered from equal data,
    /// otherwise `render(&data)`, kept for next time.
    pub fn html(&self, key: K, data: D, render: impl FnOnce(&D) -> String) -> Arc<str> {
        if let Some((kept, html)) = self.entries.lock().get(&key)
            && *kept == data
        {
            return html.clone();
        }
        // Rendered outside the lock: two requests may both render, never wait on each other.
        let html: Arc<str> = render(&data).into();
        self.entries.insert(key, (data, html.clone()));
        html
    }
}

/// What a browse page was rendered from: the one page of listings it read.
pub type BrowseRead = (BrowseQuery, Page<ListingCard>);

/// Where `list_listings` notes what it read while a page is rendered, for [`Pages`]: put in
/// the request (its extensions) by whoever wants to know.
#[derive(Clone, Default)]
pub struct BrowseSource(Arc<Mutex<Vec<BrowseRead>>>);

impl BrowseSource {
    /// Notes `read` in the current request's source, if it has one.
    pub fn note(query: &BrowseQuery, page: &Page<ListingCard>) {
        if let Some(source) =
            use_context::<Parts>().and_then(|parts| parts.extensions.get::<Self>().cloned())
        {
            source.lock().push((query.clone(), page.clone()));
        }
    }

    /// The page read, when exactly one was.
    pub fn single(&self) -> Option<BrowseRead> {
        let mut reads = self.lock();
        (reads.len() == 1).then(|| reads.remove(0))
    }

    fn lock(&self) -> MutexGuard<'_, Vec<BrowseRead>> {
        self.0.lock().unwrap_or_else(|p| p.into_inner())
    }
}

/// What decides a page's language: the language cookie's values and `Accept-Language`, as
/// sent (two requests that send the same get the same language).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct LanguageAsked {
    cookies: Vec<String>,
    accept: Vec<String>,
}

impl LanguageAsked {
    pub fn of(headers: &HeaderMap) -> Self {
        let values = |name| {
            headers
                .get_all(name)
                .iter()
                .map(|value| String::from_utf8_lossy(value.as_bytes()).into_owned())
        };
        LanguageAsked {
            cookies: values(header::COOKIE)
                .flat_map(|cookies| {
                    cookies
                        .split(';')
                        .filter_map(|pair| {
                            Some(
                                pair.trim()
                                    .strip_prefix(COOKIE_NAME)?
                                    .strip_prefix('=')?
                                    .to_owned(),
                            )
                        })
                        .collect::<Vec<_>>()
                })
                .collect(),
            accept: values(header::ACCEPT_LANGUAGE).collect(),
        }
    }
}

/// A page's address and language: what, with its data, a whole page depends on (but for the
/// viewer's header and the time).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct PageKey {
    address: String,
    language: LanguageAsked,
}

impl PageKey {
    pub fn new(uri: &Uri, headers: &HeaderMap) -> Self {
        PageKey {
            address: uri.to_string(),
            language: LanguageAsked::of(headers),
        }
    }

    pub fn language(&self) -> &LanguageAsked {
        &self.language
    }
}

/// Where the parts of a page that are not everyone's are found in its HTML: the header's
/// account links (inside the main navigation, `components::layout`) and the time the
/// LiveWatch island was rendered at (its `checked_at` prop).
const NAV_OPEN: &str = r#"<nav class="main-nav">"#;
const NAV_CLOSE: &str = "</nav>";
const CHECKED_AT: &str = "&quot;checked_at&quot;:";

/// A whole page, less its viewer's header and its time.
pub struct Template {
    read: BrowseRead,
    headers: HeaderMap,
    before_nav: String,
    before_time: String,
    after_time: String,
}

impl Template {
    /// The page cut around its viewer's header and its time, with that header; `None` when
    /// the page does not have each exactly once (an error page, another layout).
    fn cut(html: &str, read: BrowseRead, headers: HeaderMap) -> Option<(Self, &str)> {
        let nav_start = html.find(NAV_OPEN)? + NAV_OPEN.len();
        let nav_end = nav_start + html[nav_start..].find(NAV_CLOSE)?;
        let time_start = nav_end + html[nav_end..].find(CHECKED_AT)? + CHECKED_AT.len();
        let time_end = time_start + html[time_start..].find(|c: char| !c.is_ascii_digit())?;
        let once = !html[nav_start..].contains(NAV_OPEN)
            && !html[time_start..].contains(CHECKED_AT)
            && time_end > time_start;
        once.then(|| {
            let template = Template {
                read,
                headers,
                before_nav: html[..nav_start].to_owned(),
                before_time: html[nav_end..time_start].to_owned(),
                after_time: html[time_end..].to_owned(),
            };
            (template, &html[nav_start..nav_end])
        })
    }

    /// What the page was rendered from.
    pub fn read(&self) -> &BrowseRead {
        &self.read
    }

    /// The response headers it was rendered with.
    pub fn headers(&self) -> &HeaderMap {
        &self.headers
    }

    /// The page with `nav` for its header, as checked at `now`.
    pub fn page(&self, nav: &str, now: DateTime<Utc>) -> String {
        let time = now.timestamp_millis().to_string();
        let mut page = String::with_capacity(
            self.before_nav.len()
                + nav.len()
                + self.before_time.len()
                + time.len()
                + self.after_time.len(),
        );
        for part in [
            &self.before_nav,
            nav,
            &self.before_time,
            &time,
            &self.after_time,
        ] {
            page.push_str(part);
        }
        page
    }
}

/// Whole browse pages as [`Template`]s, and each viewer's header, per language.
///
/// A template is served only for its address and language, and only while the listings it
/// was rendered from are what a new render would read (the caller compares them: see the
/// server's `page_cache`); the header only to the same viewer (the account kept in the
/// session), in the same language.
#[derive(Default)]
pub struct Pages {
    templates: Bounded<PageKey, Arc<Template>>,
    navs: Bounded<(LanguageAsked, Option<Account>), Arc<str>>,
}

impl Pages {
    pub fn template(&self, key: &PageKey) -> Option<Arc<Template>> {
        self.templates.lock().get(key).cloned()
    }

    /// `viewer`'s header, in `language`.
    pub fn nav(&self, language: &LanguageAsked, viewer: &Option<Account>) -> Option<Arc<str>> {
        // Asked for by value: a lookup by parts would need the key's types borrowed.
        self.navs
            .lock()
            .get(&(language.clone(), viewer.clone()))
            .cloned()
    }

    /// Keeps `html`, rendered for `viewer` from `read` with `headers`: whether it could be
    /// (it has each part that is not everyone's exactly once, and sets no cookie).
    pub fn keep(
        &self,
        key: PageKey,
        viewer: Option<Account>,
        read: BrowseRead,
        headers: &HeaderMap,
        html: &str,
    ) -> bool {
        if headers.contains_key(header::SET_COOKIE) {
            return false;
        }
        let mut headers = headers.clone();
        headers.remove(header::CONTENT_LENGTH);
        let Some((template, nav)) = Template::cut(html, read, headers) else {
            return false;
        };
        self.navs
            .insert((key.language.clone(), viewer), Arc::from(nav));
        self.templates.insert(key, Arc::new(template));
        true
    }
}

#[cfg(test)]
mod tests {
    use std::cell::Cell;

    use super::*;

    #[test]
    fn the_same_data_is_rendered_once_and_changed_data_again() {
        let rendered = Rendered::<&str, Vec<i32>>::default();
        let renders = Cell::new(0);
        let render = |data: &Vec<i32>| {
            renders.set(renders.get() + 1);
            format!("{data:?}")
        };

        assert_eq!(&*rendered.html("en", vec![1, 2], render), "[1, 2]");
        assert_eq!(&*rendered.html("en", vec![1, 2], render), "[1, 2]");
        assert_eq!(renders.get(), 1);
        // A listing gone from the data: never the old HTML.
        assert_eq!(&*rendered.html("en", vec![2], render), "[2]");
        assert_eq!(renders.get(), 2);
        // Each key (a language, a filter) has its own.
        assert_eq!(&*rendered.html("fr", vec![2], render), "[2]");
        assert_eq!(renders.get(), 3);
        assert_eq!(&*rendered.html("en", vec![2], render), "[2]");
        assert_eq!(renders.get(), 3);
    }

    #[test]
    fn the_cache_is_bounded() {
        let rendered = Rendered::<usize, ()>::default();
        for key in 0..MAX_ENTRIES * 3 {
            rendered.html(key, (), |_| String::new());
        }
        assert!(rendered.entries.lock().len() <= MAX_ENTRIES);
    }
}

#[cfg(test)]
mod page_tests {
    use axum::http::HeaderValue;

    use super::*;
    use crate::dto::Role;

    fn page(nav: &str, time: i64) -> String {
        format!(
            r#"<html><head><title>Food</title></head><body><nav class="main-nav"><a href="/browse">Food</a>{nav}</nav><nav class="lang-switch"></nav><leptos-island data-props="{{&quot;changes_at&quot;:1799221147921,&quot;checked_at&quot;:{time}}}"></leptos-island><ul class="cards"><li>&amp;quot;checked_at&amp;quot;:1</li></ul></body></html>"#
        )
    }

    fn read() -> BrowseRead {
        (
            BrowseQuery::default(),
            Page {
                items: vec![],
                next: Some("x".into()),
            },
        )
    }

    fn account(name: &str) -> Option<Account> {
        Some(Account {
            id: 7,
            role: Role::Client,
            display_name: name.into(),
            email: "amina@example.cm".into(),
            phone: "+237677123456".into(),
            pickup_location: None,
        })
    }

    fn key(language: &str) -> PageKey {
        let mut headers = HeaderMap::new();
        headers.insert(header::ACCEPT_LANGUAGE, HeaderValue::from_static("fr"));
        headers.insert(
            header::COOKIE,
            HeaderValue::from_str(&format!("foodbridge_session=abc; {COOKIE_NAME}={language}"))
                .unwrap(),
        );
        PageKey::new(&Uri::from_static("/browse?q=pain"), &headers)
    }

    #[test]
    fn a_page_is_served_to_each_viewer_with_their_header_and_the_time_asked() {
        let pages = Pages::default();
        let amina = account("Amina");
        let html = page("<span>Amina</span>", 1_796_628_180_053);
        assert!(pages.keep(key("en"), amina.clone(), read(), &HeaderMap::new(), &html));

        let template = pages.template(&key("en")).expect("kept");
        assert_eq!(template.read(), &read());
        let nav = pages
            .nav(&key("en").language, &amina)
            .expect("Amina's header");
        let now = DateTime::from_timestamp_millis(1_796_628_999_000).unwrap();
        assert_eq!(
            template.page(&nav, now),
            page("<span>Amina</span>", 1_796_628_999_000)
        );
        // Another viewer's header, once a page was rendered for them; never Amina's.
        assert_eq!(pages.nav(&key("en").language, &account("Paul")), None);
        assert_eq!(pages.nav(&key("en").language, &None), None);
        assert!(pages.keep(
            key("en"),
            None,
            read(),
            &HeaderMap::new(),
            &page("<a>Log in</a>", 1)
        ));
        let nav = pages
            .nav(&key("en").language, &None)
            .expect("the anonymous header");
        assert_eq!(
            template.page(&nav, now),
            page("<a>Log in</a>", 1_796_628_999_000)
        );
        // Each language its own (the session cookie is not part of it).
        assert!(pages.template(&key("fr")).is_none());
        assert_eq!(pages.nav(&key("fr").language, &amina), None);
    }

    #[test]
    fn a_page_without_each_part_exactly_once_or_setting_a_cookie_is_not_kept() {
        let pages = Pages::default();
        let kept =
            |html: &str, headers: &HeaderMap| pages.keep(key("en"), None, read(), headers, html);
        let no_time = page("", 1).replace(CHECKED_AT, "&quot;other&quot;:");
        assert!(!kept(&no_time, &HeaderMap::new()));
        let no_nav = page("", 1).replace(NAV_OPEN, "<nav>");
        assert!(!kept(&no_nav, &HeaderMap::new()));
        let twice = format!("{}{}", page("", 1), page("", 2));
        assert!(!kept(&twice, &HeaderMap::new()));
        let mut cookie = HeaderMap::new();
        cookie.insert(
            header::SET_COOKIE,
            HeaderValue::from_static("i18n_pref_locale=fr"),
        );
        assert!(!kept(&page("", 1), &cookie));
        assert!(pages.template(&key("en")).is_none());
    }
}
