//! Data types that cross the wire (every one of them lives here): produced on the server and
//! shown by the pages in the browser. Serde only, so it builds for wasm too; the server alone
//! turns on the `sqlx` feature to read rows straight into some of them.

pub mod auth;
pub mod cluster;
pub mod drive;
pub mod shares;
pub mod skillshare;

use serde::{Deserialize, Serialize};

/// A plain acknowledgement with something to tell the user.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Ack {
    pub message: String,
}

impl Ack {
    pub fn new(message: impl Into<String>) -> Ack {
        Ack {
            message: message.into(),
        }
    }
}

/// sqlx derives `Type` and `Decode` for a text enum only for each concrete database, not for
/// its `Any` driver (which the server reads through): this says such an enum travels as text
/// there too, read back through its serde names (which are the names sqlx writes). Its derived
/// `Encode` already works for any database that takes `&str`.
#[cfg(feature = "sqlx")]
#[macro_export]
macro_rules! any_text_type {
    ($t:ty) => {
        impl sqlx::Type<sqlx::Any> for $t {
            fn type_info() -> sqlx::any::AnyTypeInfo {
                <str as sqlx::Type<sqlx::Any>>::type_info()
            }
        }

        impl<'r> sqlx::Decode<'r, sqlx::Any> for $t {
            fn decode(value: sqlx::any::AnyValueRef<'r>) -> Result<Self, sqlx::error::BoxDynError> {
                use serde::de::IntoDeserializer;
                let text = <&str as sqlx::Decode<sqlx::Any>>::decode(value)?;
                let parsed: Result<$t, serde::de::value::Error> =
                    serde::Deserialize::deserialize(text.into_deserializer());
                Ok(parsed?)
            }
        }
    };
}
