//! A server function called from an island's form: a plain `<form method="post">` to its
//! endpoint, which the island sends with `fetch` (the page stays, the answer comes back as
//! JSON). Without JavaScript the browser posts the form itself, the server sends it back to the
//! page, and a refusal comes in the URL, which the page reads and gives the island.
//!
//! Lighter than a `ServerAction`: its client, with the encodings behind it, would double the
//! WASM that every page downloads.

use leptos::prelude::*;
use serde::de::DeserializeOwned;

use crate::error::AppError;

/// A server function's last answer in an island, and whether a call is under way.
pub struct Post<T: Send + Sync + 'static> {
    endpoint: &'static str,
    value: RwSignal<Option<Result<T, AppError>>>,
    pending: RwSignal<bool>,
}

impl<T: Send + Sync + 'static> Clone for Post<T> {
    fn clone(&self) -> Self {
        *self
    }
}

impl<T: Send + Sync + 'static> Copy for Post<T> {}

impl<T: DeserializeOwned + Clone + Send + Sync + 'static> Post<T> {
    /// `refused`: a plain post's refusal, as the page read it from the URL.
    pub fn new(endpoint: &'static str, refused: Option<AppError>) -> Self {
        Post {
            endpoint,
            value: RwSignal::new(refused.map(Err)),
            pending: RwSignal::new(false),
        }
    }

    pub fn endpoint(self) -> &'static str {
        self.endpoint
    }

    pub fn value(self) -> Option<Result<T, AppError>> {
        self.value.get()
    }

    pub fn pending(self) -> bool {
        self.pending.get()
    }

    /// The form's submit handler: sends its fields, unless a call is under way.
    pub fn on_submit(self) -> impl Fn(leptos::ev::SubmitEvent) + Copy + 'static {
        move |ev| {
            #[cfg(feature = "hydrate")]
            self.send(ev);
            #[cfg(not(feature = "hydrate"))]
            let _ = ev;
        }
    }

    /// Calls it with no fields, as the page's own doing (the home page's figure, after an event).
    #[cfg(feature = "hydrate")]
    pub fn send_now(self) {
        if let Ok(fields) = web_sys::UrlSearchParams::new() {
            self.call(fields);
        }
    }

    #[cfg(feature = "hydrate")]
    fn send(self, ev: leptos::ev::SubmitEvent) {
        use wasm_bindgen::JsCast;
        use web_sys::{FormData, HtmlFormElement, UrlSearchParams};

        let Some(fields) = ev
            .target()
            .and_then(|t| t.dyn_into::<HtmlFormElement>().ok())
            .and_then(|form| FormData::new_with_form(&form).ok())
            .and_then(|data| UrlSearchParams::new_with_str_sequence_sequence(&data).ok())
        else {
            // Let the browser post the form itself.
            return;
        };
        ev.prevent_default();
        if !self.pending.get_untracked() {
            self.call(fields);
        }
    }

    #[cfg(feature = "hydrate")]
    fn call(self, fields: web_sys::UrlSearchParams) {
        self.pending.set(true);
        leptos::task::spawn_local(async move {
            let answer = browser::post(self.endpoint, &fields).await;
            self.value.set(Some(answer));
            self.pending.set(false);
        });
    }
}

#[cfg(feature = "hydrate")]
mod browser {
    use serde::de::DeserializeOwned;
    use wasm_bindgen::{JsCast, JsValue};
    use wasm_bindgen_futures::JsFuture;
    use web_sys::{Headers, RequestInit, Response, UrlSearchParams};

    use crate::error::AppError;

    pub async fn post<T: DeserializeOwned>(
        endpoint: &str,
        fields: &UrlSearchParams,
    ) -> Result<T, AppError> {
        let (ok, body) = send(endpoint, fields)
            .await
            .map_err(|e| AppError::Transport(format!("{e:?}")))?;
        if ok {
            serde_json::from_str(&body).map_err(|_| AppError::Internal)
        } else {
            Err(serde_json::from_str(&body).unwrap_or(AppError::Internal))
        }
    }

    async fn send(endpoint: &str, fields: &UrlSearchParams) -> Result<(bool, String), JsValue> {
        let headers = Headers::new()?;
        headers.set("Accept", "application/json")?;
        let init = RequestInit::new();
        init.set_method("POST");
        init.set_headers(&headers);
        init.set_body(fields);
        let response: Response =
            JsFuture::from(leptos::prelude::window().fetch_with_str_and_init(endpoint, &init))
                .await?
                .dyn_into()?;
        let body = JsFuture::from(response.text()?).await?;
        Ok((response.ok(), body.as_string().unwrap_or_default()))
    }
}
