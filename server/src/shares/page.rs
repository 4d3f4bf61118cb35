//! The pages a link opens, rendered on the server as plain HTML (no script: they work without
//! JavaScript, and nothing on them runs code): a file, a folder to browse, a password form,
//! and the one "not found" every dead link gets.

use domain::drive::{OpenShare, SharedFolder};
use leptos::prelude::*;
use model::drive::human_bytes;

/// A whole page around `body`, kept out of search engines.
fn document(title: &str, body: impl IntoView + 'static) -> String {
    let title = title.to_owned();
    let html = view! {
        <html lang="en">
            <head>
                <meta charset="utf-8"/>
                <meta name="viewport" content="width=device-width, initial-scale=1"/>
                <meta name="robots" content="noindex, nofollow"/>
                <meta name="referrer" content="no-referrer"/>
                <link rel="icon" href="/favicon.svg" type="image/svg+xml"/>
                <link rel="stylesheet" href=crate::assets::stylesheet_href()/>
                <title>{title}" · CloudDrive"</title>
            </head>
            <body>
                <header class="topbar"><span class="brand">"CloudDrive"</span></header>
                <main class="main">{body}</main>
            </body>
        </html>
    }
    .to_html();
    format!("<!DOCTYPE html>{html}")
}

pub fn not_found() -> String {
    document(
        "Link not available",
        view! {
            <section class="card">
                <h1>"This link does not work"</h1>
                <p class="lead">
                    "It may be mistyped, or it has expired, been used up or been turned off by \
                     the person who shared it. Ask them for a new one."
                </p>
            </section>
        },
    )
}

pub fn password_form(share: &OpenShare, token: &str, error: Option<String>) -> String {
    let action = format!("/s/{token}");
    let what = if share.root.is_folder() {
        "folder"
    } else {
        "file"
    };
    document(
        "Password needed",
        view! {
            <section class="card">
                <h1>{format!("This {what} is protected")}</h1>
                <p class="lead">"Enter the password you were given with the link."</p>
                {error.map(|e| view! { <p class="alert alert-error" role="alert">{e}</p> })}
                <form method="post" action=action class="inline-form">
                    <label class="field">
                        <span class="field-label">"Password"</span>
                        <input type="password" name="password" required autofocus
                            autocomplete="current-password"/>
                    </label>
                    <button class="btn btn-primary" type="submit">"Open"</button>
                </form>
            </section>
        },
    )
}

pub fn file(share: &OpenShare, token: &str) -> String {
    let entry = share.root.clone();
    let download = share
        .allows_download()
        .then(|| format!("/s/{token}/download"));
    let preview =
        domain::drive::has_thumbnail(&entry.mime).then(|| format!("/s/{token}/thumbnail"));
    document(
        &entry.name,
        view! {
            <section class="card">
                <h1 class="entry-name">{entry.name.clone()}</h1>
                <p class="facts">{human_bytes(entry.size)}" · "{entry.mime.clone()}</p>
                {preview.map(|src| view! {
                    <p><img class="thumbnail" src=src alt=format!("Preview of {}", entry.name)/></p>
                })}
                {download.map(|href| view! {
                    <a class="btn btn-primary" href=href download>"Download"</a>
                })}
            </section>
        },
    )
}

pub fn folder(share: &OpenShare, token: &str, listing: SharedFolder) -> String {
    let at = &listing.folder;
    let base = format!("/s/{token}");
    let root_name = share.root.name.clone();
    let downloads = share.allows_download();
    let zip = downloads.then(|| {
        let folder = if at.id == share.root.id {
            String::new()
        } else {
            format!("?folder={}", at.id)
        };
        format!("{base}/zip{folder}")
    });
    let title = at.name.clone();
    let crumbs = listing.path;
    let rows = listing
        .entries
        .into_iter()
        .map(|entry| {
            let (href, size) = if entry.is_folder() {
                (Some(format!("{base}?folder={}", entry.id)), String::new())
            } else {
                (
                    downloads.then(|| format!("{base}/download?file={}", entry.id)),
                    human_bytes(entry.size),
                )
            };
            let name = entry.name.clone();
            let label = if entry.is_folder() { "Folder" } else { "File" };
            let thumb = domain::drive::has_thumbnail(&entry.mime)
                .then(|| format!("{base}/thumbnail?file={}", entry.id));
            view! {
                <tr>
                    <td class="entry-name">
                        {thumb.map(|src| view! { <img class="thumb" src=src alt="" loading="lazy"/> })}
                        <span class="tag">{label}</span>" "
                        {match href {
                            Some(href) => view! { <a href=href>{name}</a> }.into_any(),
                            None => view! { <span>{name}</span> }.into_any(),
                        }}
                    </td>
                    <td>{size}</td>
                </tr>
            }
        })
        .collect::<Vec<_>>();
    let empty = rows.is_empty();
    let more = listing.more.then(|| {
        let rest = if downloads {
            " The zip holds them all."
        } else {
            ""
        };
        format!("Only the first {} items are listed here.{rest}", rows.len())
    });
    document(
        &title,
        view! {
            <section class="card">
                <nav class="crumbs" aria-label="Folders">
                    <a href=base.clone()>{root_name}</a>
                    {crumbs.into_iter().map(|c| {
                        let href = format!("{base}?folder={}", c.id);
                        view! { " / " <a href=href>{c.name}</a> }
                    }).collect::<Vec<_>>()}
                </nav>
                {zip.map(|href| view! {
                    <p><a class="btn btn-primary" href=href>"Download all as zip"</a></p>
                })}
                {if empty {
                    view! { <p class="empty">"This folder is empty."</p> }.into_any()
                } else {
                    view! {
                        <table class="table files">
                            <thead><tr><th>"Name"</th><th>"Size"</th></tr></thead>
                            <tbody>{rows}</tbody>
                        </table>
                        {more.map(|m| view! { <p class="muted">{m}</p> })}
                    }.into_any()
                }}
            </section>
        },
    )
}
