//! Sending a form with a file, from an island: through XMLHttpRequest, which reports upload
//! progress (fetch does not). Without JavaScript the same form is a plain multipart post.

use leptos::prelude::*;

#[cfg(feature = "hydrate")]
use crate::error::AppError;

/// Where an upload stands: `Some(fraction sent)` while sending.
pub type Progress = RwSignal<Option<f64>>;

/// Sends the form around `input` itself, once the island is alive: see [`send`]. Saved, the
/// browser goes to the business's dashboard.
#[cfg(feature = "hydrate")]
pub fn take_over_submit(
    input: NodeRef<leptos::html::Input>,
    endpoint: String,
    progress: Progress,
    error: RwSignal<Option<AppError>>,
) {
    use wasm_bindgen::{JsCast, closure::Closure};

    Effect::new(move |_| {
        let Some(form) = input.get().and_then(|input| input.form()) else {
            return;
        };
        let endpoint = endpoint.clone();
        let on_submit = Closure::<dyn FnMut(web_sys::SubmitEvent)>::new(move |ev| {
            send(ev, &endpoint, progress, error, || {
                let _ = window().location().set_href("/business");
            });
        });
        let _ = form.add_event_listener_with_callback("submit", on_submit.as_ref().unchecked_ref());
        // For as long as the page shows the form.
        on_submit.forget();
    });
}

#[cfg(feature = "hydrate")]
fn send(
    ev: web_sys::SubmitEvent,
    endpoint: &str,
    progress: Progress,
    error: RwSignal<Option<AppError>>,
    on_success: impl FnOnce() + 'static,
) {
    use wasm_bindgen::{JsCast, closure::Closure};
    use web_sys::{File, FormData, HtmlFormElement, ProgressEvent, XmlHttpRequest};

    use crate::{
        error::{Field, Problem},
        limits::MAX_UPLOAD_BYTES,
    };

    // Anything unexpected below: let the browser post the form itself.
    let Some(form) = ev
        .target()
        .and_then(|t| t.dyn_into::<HtmlFormElement>().ok())
    else {
        return;
    };
    let Ok(data) = FormData::new_with_form(&form) else {
        return;
    };
    let Ok(xhr) = XmlHttpRequest::new() else {
        return;
    };
    if xhr.open("POST", endpoint).is_err()
        || xhr
            .set_request_header("Accept", "application/json")
            .is_err()
    {
        return;
    }
    ev.prevent_default();

    // A convenience: the server checks again, but nobody should wait for 20 MB to go up
    // only to be told it is too large.
    if let Ok(file) = data.get("photo").dyn_into::<File>()
        && file.size() > MAX_UPLOAD_BYTES as f64
    {
        error.set(Some(AppError::field(
            Field::Photo,
            Problem::photo_too_large(),
        )));
        return;
    }

    let on_progress = Closure::<dyn FnMut(ProgressEvent)>::new(move |e: ProgressEvent| {
        if e.length_computable() && e.total() > 0.0 {
            progress.set(Some(e.loaded() / e.total()));
        }
    });
    if let Ok(upload) = xhr.upload() {
        upload.set_onprogress(Some(on_progress.as_ref().unchecked_ref()));
    }
    let request = xhr.clone();
    let on_done = Closure::once_into_js(move || {
        drop(on_progress);
        progress.set(None);
        match request.status().unwrap_or(0) {
            200 => on_success(),
            0 => error.set(Some(AppError::Transport("no answer".to_owned()))),
            _ => {
                let body = request.response_text().ok().flatten().unwrap_or_default();
                let answer = serde_json::from_str::<AppError>(&body).unwrap_or(AppError::Internal);
                error.set(Some(answer));
            }
        }
    });
    xhr.set_onloadend(Some(on_done.unchecked_ref()));
    progress.set(Some(0.0));
    error.set(None);
    if xhr.send_with_opt_form_data(Some(&data)).is_err() {
        progress.set(None);
        error.set(Some(AppError::Transport("could not send".to_owned())));
    }
}

/// A local URL showing the chosen file, for a preview before anything is sent.
#[cfg(feature = "hydrate")]
pub fn preview_of(ev: &leptos::ev::Event) -> Option<String> {
    let input: web_sys::HtmlInputElement = event_target(ev);
    let file = input.files()?.get(0)?;
    web_sys::Url::create_object_url_with_blob(&file).ok()
}
