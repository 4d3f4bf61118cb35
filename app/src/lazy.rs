//! Pages whose code the browser loads only when one is first visited (the WASM is split by
//! route): the drive, the account, the teacher's and the student's own pages, the nodes page
//! and the rarer account steps. The public pages (home, catalogue, teacher, booking, login,
//! register) stay in the first module, so a phone opening them downloads none of this.
//!
//! Why not the public pages too: code shared by several lazy pages is cut into a chunk per
//! combination of pages sharing it. With every page lazy, the catalogue needed 96 modules and
//! hydrated in 4.6 s on the benchmark's slow line (150 ms a request, six at a time) against
//! 1.6 s for home in one module of about the same size (README, "The front end").

use leptos::prelude::*;
use leptos_router::{lazy_route, LazyRoute};

use crate::pages::cluster::ClusterPage;
use crate::pages::drive::{shared::SharedPage, trash::TrashPage, DrivePage};
use crate::pages::drop::DropPage;
use crate::pages::skillshare::{bookings::BookingsPage, teach::TeachPage};
use crate::pages::{
    account::AccountPage,
    password_reset::{ForgotPage, ResetPage},
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

lazy_page!(DriveRoute, DrivePage);
lazy_page!(TrashRoute, TrashPage);
lazy_page!(SharedRoute, SharedPage);
lazy_page!(DropRoute, DropPage);
lazy_page!(NodesRoute, ClusterPage);
lazy_page!(AccountRoute, AccountPage);
lazy_page!(BookingsRoute, BookingsPage);
lazy_page!(TeachRoute, TeachPage);
lazy_page!(VerifyRoute, VerifyPage);
lazy_page!(ForgotRoute, ForgotPage);
lazy_page!(ResetRoute, ResetPage);
