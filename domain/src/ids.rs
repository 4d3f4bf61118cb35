//! Typed ids: a user's id cannot be passed where an upload's or a file's is expected, and the
//! compiler, not a test, catches arguments given in the wrong order. On the wire and in the
//! database they are plain text (`serde` and `sqlx` see through them).

macro_rules! ids {
    ($($(#[$doc:meta])* $name:ident;)*) => {$(
        $(#[$doc])*
        #[derive(
            Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord,
            serde::Serialize, serde::Deserialize, sqlx::Type,
        )]
        #[serde(transparent)]
        #[sqlx(transparent)]
        pub struct $name(String);

        impl $name {
            pub fn as_str(&self) -> &str {
                &self.0
            }

            pub fn into_string(self) -> String {
                self.0
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(&self.0)
            }
        }

        impl From<String> for $name {
            fn from(id: String) -> Self {
                $name(id)
            }
        }

        impl From<&str> for $name {
            fn from(id: &str) -> Self {
                $name(id.to_owned())
            }
        }
    )*};
}

ids! {
    /// An account.
    UserId;
    /// A file or folder in a drive.
    EntryId;
    /// An upload in progress (its finished file keeps the id as an `EntryId`).
    UploadId;
    /// A booked session.
    BookingId;
}
