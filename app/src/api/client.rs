//! The server function client: every call carries `Authorization: Bearer <token>`, and any
//! 401 answer forgets the token (the app then sends the user to log in).

use std::future::Future;

use futures::{Sink, Stream};
use server_fn::client::{browser::BrowserClient, Client};
use server_fn::error::FromServerFnError;
use server_fn::request::browser::BrowserRequest;
use server_fn::response::browser::BrowserResponse;
use server_fn::response::ClientRes;
use server_fn::Bytes;

use crate::token;

pub struct AuthClient;

impl<E, IS, OS> Client<E, IS, OS> for AuthClient
where
    E: FromServerFnError,
    IS: FromServerFnError,
    OS: FromServerFnError,
{
    type Request = BrowserRequest;
    type Response = BrowserResponse;

    fn send(req: Self::Request) -> impl Future<Output = Result<Self::Response, E>> + Send {
        if let Some(token) = token::load() {
            req.headers()
                .set("Authorization", &format!("Bearer {token}"));
        }
        async move {
            let response = <BrowserClient as Client<E, IS, OS>>::send(req).await?;
            if <BrowserResponse as ClientRes<E>>::status(&response) == 401 {
                token::expire();
            }
            Ok(response)
        }
    }

    #[allow(clippy::type_complexity)]
    fn open_websocket(
        path: &str,
    ) -> impl Future<
        Output = Result<
            (
                impl Stream<Item = Result<Bytes, Bytes>> + Send + 'static,
                impl Sink<Bytes> + Send + 'static,
            ),
            E,
        >,
    > + Send {
        <BrowserClient as Client<E, IS, OS>>::open_websocket(path)
    }

    fn spawn(future: impl Future<Output = ()> + Send + 'static) {
        <BrowserClient as Client<E, IS, OS>>::spawn(future)
    }
}

/// `#[server]` with this app's client and JSON answers, under `/api/<endpoint>`:
/// `api! { ("auth/login") pub async fn login(..) -> Result<T, ApiError> { .. } }` takes a JSON
/// POST body; `api! { (GET "user/info") .. }` takes its arguments from the query string.
#[macro_export]
macro_rules! api {
    ( ($endpoint:literal) $($item:tt)* ) => {
        $crate::api!(@with ::server_fn::codec::Json, $endpoint, $($item)*);
    };
    ( (GET $endpoint:literal) $($item:tt)* ) => {
        $crate::api!(@with ::server_fn::codec::GetUrl, $endpoint, $($item)*);
    };
    ( @with $input:ty, $endpoint:literal, $(#[$m:meta])* $vis:vis async fn $($rest:tt)* ) => {
        #[::leptos::server(
            prefix = "/api",
            endpoint = $endpoint,
            input = $input,
            output = ::server_fn::codec::Json,
            client = $crate::api::client::AuthClient
        )]
        $(#[$m])*
        $vis async fn $($rest)*
    };
}
