//! Listings come in pages: each page's last row, as an opaque cursor, says where the next
//! begins (keyset paging: rows added or removed meanwhile neither repeat nor vanish, and a
//! page deep in a large folder costs what the first does).

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use serde::{Deserialize, Serialize};
use sqlx::any::AnyArguments;
use sqlx::query::Query;
use sqlx::Any;

use super::{DriveError, Entry, ListQuery, SortBy};

/// The most rows one page may ask for.
pub const MAX_PAGE: i64 = 1000;

/// Folders before files: the listing's first sort key.
pub(super) const RANK: &str = "CASE WHEN e.kind = 'file' THEN 1 ELSE 0 END";

/// The sort column of a listing.
pub(super) fn sort_column(sort: SortBy) -> &'static str {
    match sort {
        SortBy::Name => "e.name_key",
        SortBy::Size => "e.size",
        SortBy::Date => "e.modified_at",
    }
}

/// Where a page ended: the last row's sort keys, and the order they were in.
#[derive(Debug, Serialize, Deserialize)]
pub(super) struct Cursor {
    sort: SortBy,
    descending: bool,
    rank: i64,
    /// The sort column's value: text for names, a number for sizes and dates.
    key: Key,
    name_key: String,
    id: String,
}

#[derive(Debug, Serialize, Deserialize)]
#[serde(untagged)]
enum Key {
    Number(i64),
    Text(String),
}

fn stale() -> DriveError {
    DriveError::Invalid("That page of the listing is out of date: list the folder again.".into())
}

impl Cursor {
    /// The cursor after `entry` (whose `name_key` the row gave).
    pub(super) fn after(query: &ListQuery, entry: &Entry, name_key: String) -> Cursor {
        let key = match query.sort {
            SortBy::Name => Key::Text(name_key.clone()),
            SortBy::Size => Key::Number(entry.size),
            SortBy::Date => Key::Number(entry.modified_at),
        };
        Cursor {
            sort: query.sort,
            descending: query.descending,
            rank: i64::from(!entry.is_folder()),
            key,
            name_key,
            id: entry.id.clone(),
        }
    }

    pub(super) fn encode(&self) -> String {
        URL_SAFE_NO_PAD.encode(serde_json::to_vec(self).unwrap_or_default())
    }

    /// The cursor a client sent back, if it belongs to this listing's order.
    pub(super) fn decode(text: &str, query: &ListQuery) -> Result<Cursor, DriveError> {
        let bytes = URL_SAFE_NO_PAD.decode(text).map_err(|_| stale())?;
        let cursor: Cursor = serde_json::from_slice(&bytes).map_err(|_| stale())?;
        let fits = cursor.sort == query.sort
            && cursor.descending == query.descending
            && matches!(
                (&cursor.key, query.sort),
                (Key::Text(_), SortBy::Name) | (Key::Number(_), SortBy::Size | SortBy::Date)
            );
        if !fits {
            return Err(stale());
        }
        Ok(cursor)
    }

    /// Rows after this one, in the listing's order, with parameters from `$first` on.
    pub(super) fn condition(&self, first: usize) -> String {
        let column = sort_column(self.sort);
        let beyond = if self.descending { "<" } else { ">" };
        let [r, k, n, i] = [first, first + 1, first + 2, first + 3];
        format!(
            "({RANK} > ${r} OR ({RANK} = ${r} AND ({column} {beyond} ${k} OR ({column} = ${k}
               AND (e.name_key > ${n} OR (e.name_key = ${n} AND e.id > ${i}))))))"
        )
    }

    /// Binds the parameters `condition` names, in order.
    pub(super) fn bind<'q>(
        &'q self,
        query: Query<'q, Any, AnyArguments<'q>>,
    ) -> Query<'q, Any, AnyArguments<'q>> {
        let query = query.bind(self.rank);
        let query = match &self.key {
            Key::Number(n) => query.bind(*n),
            Key::Text(t) => query.bind(t.as_str()),
        };
        query.bind(self.name_key.as_str()).bind(self.id.as_str())
    }
}
