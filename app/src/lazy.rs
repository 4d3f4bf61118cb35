//! Pages whose code the browser loads only when one is first visited (the WASM is split by
//! route): login and registration with their email steps, the drive, the account, the
//! teacher's and the student's own pages, the drop page and the nodes page. Home and the
//! catalogue (teachers, a teacher, courses, booking) stay in the first module, so a phone
//! opening them downloads none of this.
//!
//! Login and registration are lazy because their forms (two steps, second factors, resending
//! codes) weighed as much as the whole catalogue: 48 KB of the first module, brotli.
//!
//! Why not the catalogue too: code shared by several lazy pages is cut into a chunk per
//! combination of pages sharing it. With every page lazy, the catalogue needed 96 modules and
//! hydrated in 4.0 s on the benchmark's slow line (150 ms a request, six at a time), slower than
//! in one module (README, "The front end"). For the same reason, pages visited together load
//! as one module (`lazy_group!`).

use leptos::prelude::*;
use leptos_router::{lazy_route, LazyRoute};

use crate::pages::cluster::ClusterPage;
use crate::pages::drive::{shared::SharedPage, trash::TrashPage, DrivePage};
use crate::pages::drop::DropPage;
use crate::pages::skillshare::{bookings::BookingsPage, teach::TeachPage};
use crate::pages::{
    account::AccountPage,
    login::LoginPage,
    password_reset::{ForgotPage, ResetPage},
    register::RegisterPage,
    verify::VerifyPage,
};

/// A route type whose view is `page`, split into a module of its own.
macro_rules! lazy_page {
    ($route:ident, $page:ident) => {
        pub struct $route;

        #[lazy_route]
        impl LazyRoute for $route {
            fn data() -> Self {
                $route
            }

            fn view(_this: Self) -> AnyView {
                view! { <$page/> }.into_any()
            }
        }
    };
}

/// Route types for pages that load together, as one module: `$draw` (a `#[lazy]` function,
/// with `$preload` the preloader it gets) draws whichever page of `$group` is asked for. One
/// split point for several pages: no chunk per combination of them, a shorter loader.
macro_rules! lazy_group {
    ($group:ident, $draw:ident, $preload:ident { $($route:ident => $page:ident),+ $(,)? }) => {
        // Each variant is named after the page component it draws.
        #[derive(Clone, Copy)]
        #[allow(clippy::enum_variant_names)]
        enum $group {
            $($page),+
        }

        #[lazy]
        fn $draw(page: $group) -> AnyView {
            match page {
                $($group::$page => view! { <$page/> }.into_any()),+
            }
        }

        $(
            pub struct $route;

            impl LazyRoute for $route {
                fn data() -> Self {
                    $route
                }

                async fn view(_this: Self) -> AnyView {
                    $draw($group::$page).await
                }

                async fn preload() {
                    // As `#[lazy_route]` does: the server renders every page, so it has no
                    // module to load.
                    #[cfg(target_arch = "wasm32")]
                    $preload().await;
                }
            }
        )+
    };
}

lazy_group!(AuthPage, auth_page, __preload_auth_page {
    LoginRoute => LoginPage,
    RegisterRoute => RegisterPage,
    VerifyRoute => VerifyPage,
    ForgotRoute => ForgotPage,
    ResetRoute => ResetPage,
});
lazy_group!(DrivePart, drive_part, __preload_drive_part {
    DriveRoute => DrivePage,
    TrashRoute => TrashPage,
    SharedRoute => SharedPage,
});
lazy_page!(DropRoute, DropPage);
lazy_page!(NodesRoute, ClusterPage);
lazy_page!(AccountRoute, AccountPage);
lazy_page!(BookingsRoute, BookingsPage);
lazy_page!(TeachRoute, TeachPage);
