//! The CloudDrive web app: pages, components and server functions. Built twice: with `ssr`
//! into the server, with `hydrate` into the browser's WASM.
#![recursion_limit = "256"]

pub mod api;
mod components;
pub mod format;
mod pages;
pub mod session;
pub mod token;

use leptos::prelude::*;
use leptos_meta::{provide_meta_context, MetaTags, Stylesheet, Title};
use leptos_router::components::{Route, Router, Routes};
use leptos_router::{path, SsrMode};

use components::NavBar;
use pages::cluster::ClusterPage;
use pages::drive::{shared::SharedPage, trash::TrashPage, DrivePage};
use pages::drop::DropPage;
use pages::skillshare::{
    book::BookPage, bookings::BookingsPage, courses::CoursesPage, teach::TeachPage,
    teacher::TeacherPage, teachers::TeachersPage,
};
use pages::{
    account::AccountPage,
    home::HomePage,
    login::LoginPage,
    password_reset::{ForgotPage, ResetPage},
    register::RegisterPage,
    verify::VerifyPage,
};

/// The HTML document around the app, rendered by the server.
pub fn shell(options: LeptosOptions) -> impl IntoView {
    view! {
        <!DOCTYPE html>
        <html lang="en">
            <head>
                <meta charset="utf-8"/>
                <meta name="viewport" content="width=device-width, initial-scale=1"/>
                <link rel="icon" href="/favicon.svg" type="image/svg+xml"/>
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
    mark_hydrated();
    view! {
        <Stylesheet id="leptos" href="/pkg/clouddrive.css"/>
        <Title text="CloudDrive"/>
        <Router>
            <NavBar/>
            <main class="main">
                <Routes fallback=|| view! { <NotFound/> }>
                    <Route path=path!("/") view=HomePage/>
                    <Route path=path!("/register") view=RegisterPage/>
                    <Route path=path!("/verify") view=VerifyPage/>
                    <Route path=path!("/login") view=LoginPage/>
                    <Route path=path!("/forgot") view=ForgotPage/>
                    <Route path=path!("/reset") view=ResetPage/>
                    <Route path=path!("/account") view=AccountPage/>
                    <Route path=path!("/drive") view=DrivePage/>
                    <Route path=path!("/drive/trash") view=TrashPage/>
                    <Route path=path!("/drive/shared") view=SharedPage/>
                    <Route path=path!("/drop/:token") view=DropPage/>
                    <Route path=path!("/nodes") view=ClusterPage ssr=SsrMode::Async/>
                    // The catalogue renders completely on the server, data included.
                    <Route path=path!("/skillshare") view=TeachersPage ssr=SsrMode::Async/>
                    <Route path=path!("/skillshare/teachers/:id") view=TeacherPage ssr=SsrMode::Async/>
                    <Route path=path!("/skillshare/courses") view=CoursesPage ssr=SsrMode::Async/>
                    <Route path=path!("/skillshare/book/:course_id") view=BookPage ssr=SsrMode::Async/>
                    <Route path=path!("/skillshare/bookings") view=BookingsPage/>
                    <Route path=path!("/skillshare/teach") view=TeachPage/>
                </Routes>
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

/// Sets `<html data-hydrated="true">` once the browser has taken over the server-rendered page:
/// effects run only in the browser, after hydration. Tests and people debugging can see it.
fn mark_hydrated() {
    Effect::new(move |_| {
        #[cfg(feature = "hydrate")]
        if let Some(root) = document().document_element() {
            let _ = root.set_attribute("data-hydrated", "true");
        }
    });
}
