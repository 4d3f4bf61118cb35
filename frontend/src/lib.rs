//! The browser entry point: hydrates the page the server rendered.
// The route tree is one deep type: its queries need more than the default 128 levels.
#![recursion_limit = "256"]

#[wasm_bindgen::prelude::wasm_bindgen]
pub fn hydrate() {
    console_error_panic_hook::set_once();
    app::hydrate();
}
