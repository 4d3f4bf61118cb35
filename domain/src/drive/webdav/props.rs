//! Dead properties: what clients store on a file or folder with PROPPATCH (Windows keeps its
//! file times there, Finder its labels). Kept per entry, so they follow renames and moves.

use sqlx::AnyConnection;

use super::{Node, WebDav};
use crate::drive::{Drive, DriveError};

/// Properties an entry may hold, and the size of each: clients store a few small ones.
const MAX_PROPS: i64 = 100;
const MAX_PROP_BYTES: usize = 8 * 1024;
/// A property's name and namespace, each.
const MAX_NAME_BYTES: usize = 256;

#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct DeadProp {
    pub namespace: String,
    pub name: String,
    pub prefix: Option<String>,
    /// The property's element, as the client sent it.
    pub xml: Option<Vec<u8>>,
}

impl WebDav<'_> {
    pub async fn props(&self, node: &Node) -> Result<Vec<DeadProp>, DriveError> {
        Ok(sqlx::query_as(
            "SELECT namespace, name, prefix, xml FROM dav_props WHERE entry_id = $1
             ORDER BY namespace, name",
        )
        .bind(&node.id)
        .fetch_all(&self.drive.db)
        .await?)
    }

    /// Sets (`true`) or removes (`false`) each property, all or none.
    pub async fn patch_props(
        &self,
        node: &Node,
        patch: &[(bool, DeadProp)],
    ) -> Result<(), DriveError> {
        if node.id.is_empty() {
            return Err(DriveError::Forbidden(
                "The top of the drive keeps no properties.".into(),
            ));
        }
        let mut tx = self.drive.write_tx().await?;
        for (set, prop) in patch {
            sqlx::query(
                "DELETE FROM dav_props WHERE entry_id = $1 AND namespace = $2 AND name = $3",
            )
            .bind(&node.id)
            .bind(&prop.namespace)
            .bind(&prop.name)
            .execute(&mut *tx)
            .await?;
            if !set {
                continue;
            }
            if prop.name.len() > MAX_NAME_BYTES || prop.namespace.len() > MAX_NAME_BYTES {
                return Err(DriveError::Invalid(format!(
                    "A property's name and namespace are at most {MAX_NAME_BYTES} bytes each."
                )));
            }
            if prop.xml.as_ref().is_some_and(|x| x.len() > MAX_PROP_BYTES) {
                return Err(DriveError::Invalid(format!(
                    "A property holds at most {MAX_PROP_BYTES} bytes."
                )));
            }
            sqlx::query(
                "INSERT INTO dav_props (entry_id, namespace, name, prefix, xml)
                 VALUES ($1, $2, $3, $4, $5)",
            )
            .bind(&node.id)
            .bind(&prop.namespace)
            .bind(&prop.name)
            .bind(&prop.prefix)
            .bind(&prop.xml)
            .execute(&mut *tx)
            .await?;
        }
        let held: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM dav_props WHERE entry_id = $1")
            .bind(&node.id)
            .fetch_one(&mut *tx)
            .await?;
        if held > MAX_PROPS {
            return Err(DriveError::Invalid(format!(
                "A file or folder keeps at most {MAX_PROPS} properties."
            )));
        }
        tx.commit().await?;
        Ok(())
    }
}

/// Gives the copy `to` the properties of `from`.
pub(super) async fn copy(drive: &Drive, from: &str, to: &str) -> Result<(), DriveError> {
    let mut tx = drive.write_tx().await?;
    replace(
        &mut tx,
        from,
        to,
        "INSERT INTO dav_props (entry_id, namespace, name, prefix, xml)
         SELECT $1, namespace, name, prefix, xml FROM dav_props WHERE entry_id = $2",
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// Moves the properties of `from` to `to` (a file moved onto another).
pub(super) async fn adopt(
    conn: &mut AnyConnection,
    from: &str,
    to: &str,
) -> Result<(), DriveError> {
    replace(
        conn,
        from,
        to,
        "UPDATE dav_props SET entry_id = $1 WHERE entry_id = $2",
    )
    .await
}

/// `to`'s properties dropped, then `sql` run with `to` and `from`.
async fn replace(
    conn: &mut AnyConnection,
    from: &str,
    to: &str,
    sql: &str,
) -> Result<(), DriveError> {
    sqlx::query("DELETE FROM dav_props WHERE entry_id = $1")
        .bind(to)
        .execute(&mut *conn)
        .await?;
    sqlx::query(sql)
        .bind(to)
        .bind(from)
        .execute(&mut *conn)
        .await?;
    Ok(())
}
