//! The CloudDrive web app: pages, components and server functions. Built twice: with `ssr`
//! into the server, with `hydrate` into the browser's WASM.
#![recursion_limit = "256"]

pub mod api;
mod components;
pub mod format;
mod lazy;
mod pages;
pub mod session;
pub mod token;

use leptos::prelude::*;
use leptos_meta::{provide_meta_context, HashedStylesheet, MetaTags, Title};
use leptos_router::components::{FlatRoutes, Route, Router};
use leptos_router::{path, Lazy, SsrMode};

use components::NavBar;
use lazy::*;
use pages::home::HomePage;
use pages::skillshare::{
    book::BookPage, courses::CoursesPage, teacher::TeacherPage, teachers::TeachersPage,
};

/// Hydrates the server-rendered page, lazy routes included (their modules load first), then
/// lets the session show what only the browser knows (see `session::finish_hydration`).
#[cfg(feature = "hydrate")]
pub fn hydrate() {
    wasm_bindgen_futures::spawn_local(async {
        let Some(body) = document().body() else {
            return;
        };
        let owner = leptos::mount::hydrate_from_async(body, App).await;
        owner.forget();
        session::finish_hydration();
        // `<html data-hydrated="true">`: the page is the browser's now (tests wait for it).
        if let Some(root) = document().document_element() {
            let _ = root.set_attribute("data-hydrated", "true");
        }
    });
}

/// The HTML document around the app, rendered by the server.
pub fn shell(options: LeptosOptions) -> impl IntoView {
    view! {
        <!DOCTYPE html>
        <html lang="en">
            <head>
                <meta charset="utf-8"/>
                <meta name="viewport" content="width=device-width, initial-scale=1"/>
                <link rel="icon" href="/favicon.svg" type="image/svg+xml"/>
                <link rel="manifest" href="/manifest.webmanifest"/>
                <meta name="theme-color" content="#2f5fd0" media="(prefers-color-scheme: light)"/>
                <meta name="theme-color" content="#1a2029" media="(prefers-color-scheme: dark)"/>
                <HashedStylesheet options=options.clone() id="leptos"/>
                <AutoReload options=options.clone()/>
                <HydrationScripts options/>
                <MetaTags/>
            </head>
            <body>
                <App/>
            </body>
        </html>
    }
}

#[component]
pub fn App() -> impl IntoView {
    provide_meta_context();
    session::provide_session();
    view! {
        <Title text="CloudDrive"/>
        <Router>
            <NavBar/>
            <main class="main">
                <FlatRoutes fallback=|| view! { <NotFound/> }>
                    <Route path=path!("/") view=HomePage/>
                    <Route path=path!("/register") view={Lazy::<RegisterRoute>::new()}/>
                    <Route path=path!("/verify") view={Lazy::<VerifyRoute>::new()}/>
                    <Route path=path!("/login") view={Lazy::<LoginRoute>::new()}/>
                    <Route path=path!("/forgot") view={Lazy::<ForgotRoute>::new()}/>
                    <Route path=path!("/reset") view={Lazy::<ResetRoute>::new()}/>
                    <Route path=path!("/account") view={Lazy::<AccountRoute>::new()}/>
                    <Route path=path!("/drive") view={Lazy::<DriveRoute>::new()}/>
                    <Route path=path!("/drive/trash") view={Lazy::<TrashRoute>::new()}/>
                    <Route path=path!("/drive/shared") view={Lazy::<SharedRoute>::new()}/>
                    <Route path=path!("/drop/:token") view={Lazy::<DropRoute>::new()}/>
                    <Route path=path!("/nodes") view={Lazy::<NodesRoute>::new()} ssr=SsrMode::Async/>
                    // The catalogue renders completely on the server, data included.
                    <Route path=path!("/skillshare") view=TeachersPage ssr=SsrMode::Async/>
                    <Route path=path!("/skillshare/teachers/:id") view=TeacherPage ssr=SsrMode::Async/>
                    <Route path=path!("/skillshare/courses") view=CoursesPage ssr=SsrMode::Async/>
                    <Route path=path!("/skillshare/book/:course_id") view=BookPage ssr=SsrMode::Async/>
                    <Route path=path!("/skillshare/bookings") view={Lazy::<BookingsRoute>::new()}/>
                    <Route path=path!("/skillshare/teach") view={Lazy::<TeachRoute>::new()}/>
                </FlatRoutes>
            </main>
        </Router>
    }
}

#[component]
fn NotFound() -> impl IntoView {
    #[cfg(feature = "ssr")]
    if let Some(response) = use_context::<leptos_axum::ResponseOptions>() {
        response.set_status(axum::http::StatusCode::NOT_FOUND);
    }
    view! {
        <Title text="Not found — CloudDrive"/>
        <section class="panel">
            <h1>"Page not found"</h1>
            <p>"There is nothing at this address. " <a href="/">"Go to the home page"</a></p>
        </section>
    }
}
