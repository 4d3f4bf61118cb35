//! Pages whose code the browser loads only when one is first visited (the WASM is split by
//! route): every page but home. The first module holds the framework, the shell and the home
//! page; a public page adds its own module (server-rendered pages preload it), so a phone
//! opening the catalogue downloads none of the drive's or the teacher tools' code.

use leptos::prelude::*;
use leptos_router::{lazy_route, LazyRoute};

use crate::pages::cluster::ClusterPage;
use crate::pages::drive::{shared::SharedPage, trash::TrashPage, DrivePage};
use crate::pages::drop::DropPage;
use crate::pages::skillshare::{
    book::BookPage, bookings::BookingsPage, courses::CoursesPage, teach::TeachPage,
    teacher::TeacherPage, teachers::TeachersPage,
};
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
lazy_page!(LoginRoute, LoginPage);
lazy_page!(RegisterRoute, RegisterPage);
lazy_page!(TeachersRoute, TeachersPage);
lazy_page!(TeacherRoute, TeacherPage);
lazy_page!(CoursesRoute, CoursesPage);
lazy_page!(BookRoute, BookPage);
