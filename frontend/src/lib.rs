//! The WASM entry point: only the page's islands come alive; the rest of the page stays the
//! HTML the server rendered.

// Linked for its islands, which it exports to the islands script; nothing here names them.
extern crate app as _;

#[wasm_bindgen::prelude::wasm_bindgen]
pub fn hydrate() {
    console_error_panic_hook::set_once();
    leptos::mount::hydrate_islands();
    // The islands script hydrates each island as soon as this returns, in the same task.
    // Marking the body afterwards lets end-to-end tests (and CSS, if it ever needs to) tell a
    // live page from the server-rendered one.
    leptos::prelude::set_timeout(
        || {
            if let Some(body) = leptos::prelude::document().body() {
                let _ = body.set_attribute("data-hydrated", "true");
            }
        },
        std::time::Duration::ZERO,
    );
}
