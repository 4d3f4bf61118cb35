use leptos::prelude::*;
use leptos_meta::Title;

use crate::api::cluster::{
    background_jobs, network_status, probe_cluster, repair_cluster, start_node, stop_node,
    verify_cluster, ClusterStatus, JobState, JobStatus, NodeStatus,
};
use crate::api::{api_resource, Ack, ApiError, ApiResource};
use crate::components::{Alert, Icon, IconKind, LocalTime};
use crate::format;
use crate::session::use_session;

/// How often the page refreshes itself once in the browser.
const REFRESH_MS: u64 = 2000;

/// The storage network: nodes by region, the mesh, replication health, repairs, verification.
/// Rendered on the server, then kept live.
#[component]
pub fn ClusterPage() -> impl IntoView {
    let session = use_session();
    let status = api_resource(|| (), |_| network_status());
    refresh(status);
    let is_admin = move || session.account().is_some_and(|a| a.is_admin);
    let act = Action::new(|action: &(&'static str, String)| {
        let (what, name) = (action.0, action.1.clone());
        async move {
            match what {
                "stop" => stop_node(name).await,
                "start" => start_node(name).await,
                "verify" => verify_cluster().await,
                "probe" => probe_cluster().await,
                _ => repair_cluster(None).await,
            }
        }
    });
    Effect::new(move |_| {
        if act.value().get().is_some() {
            status.refetch();
        }
    });
    let error = Signal::derive(move || ApiError::of(act.value().get()));
    let notice = Signal::derive(move || {
        act.value()
            .get()
            .and_then(Result::ok)
            .map(|a: Ack| a.message)
    });

    view! {
        <Title text="Storage nodes — CloudDrive"/>
        <h1>"Storage network"</h1>
        <p class="lead">"Every file is kept on three nodes in three regions. This page updates itself."</p>
        <Alert error notice/>
        <Show when=is_admin>
            <div class="actions admin-actions">
                <button class="btn" on:click=move |_| { act.dispatch(("probe", String::new())); }>"Run a write test"</button>
                <button class="btn" on:click=move |_| { act.dispatch(("verify", String::new())); }>"Verify all replicas"</button>
                <button class="btn" on:click=move |_| { act.dispatch(("repair", String::new())); }>"Repair everything"</button>
            </div>
        </Show>
        <Show when=is_admin>
            <BackgroundJobs/>
        </Show>
        <Transition fallback=|| view! { <p class="muted">"Loading…"</p> }>
            {move || Suspend::new(async move {
                match status.await {
                    Err(e) => view! { <p class="alert alert-error">{e.message}</p> }.into_any(),
                    Ok(s) => view! { <ClusterView s act is_admin=Signal::derive(is_admin)/> }.into_any(),
                }
            })}
        </Transition>
    }
}

/// Refetches `resource` every `REFRESH_MS` while the page is open in the browser.
fn refresh<T>(resource: ApiResource<T>)
where
    T: Send + Sync + serde::Serialize + serde::de::DeserializeOwned + 'static,
{
    Effect::new(move |_| {
        let handle = set_interval_with_handle(
            move || resource.refetch(),
            std::time::Duration::from_millis(REFRESH_MS),
        );
        if let Ok(handle) = handle {
            on_cleanup(move || handle.clear());
        }
    });
}

/// This app server's background jobs, for administrators.
#[component]
fn BackgroundJobs() -> impl IntoView {
    let jobs = api_resource(|| (), |_| background_jobs());
    refresh(jobs);
    view! {
        <h2>"Background jobs"</h2>
        <Transition fallback=|| view! { <p class="muted">"Loading…"</p> }>
            {move || Suspend::new(async move {
                match jobs.await {
                    Err(e) => view! { <p class="alert alert-error">{e.message}</p> }.into_any(),
                    Ok(b) => view! {
                        <p data-testid="leader">
                            "This app server: " <strong>{b.server}</strong> ". Leader: "
                            <strong>{b.leader.unwrap_or_else(|| "none (electing)".into())}</strong>
                        </p>
                        <table class="table" data-testid="jobs">
                            <thead><tr><th>"Job"</th><th>"State"</th><th>"Runs"</th><th>"Last run"</th><th>"Last error"</th></tr></thead>
                            <tbody>{b.jobs.into_iter().map(|j| view! { <JobRow j/> }).collect_view()}</tbody>
                        </table>
                    }.into_any(),
                }
            })}
        </Transition>
    }
}

#[component]
fn JobRow(j: JobStatus) -> impl IntoView {
    let state = match j.state {
        JobState::Idle => "idle",
        JobState::Running => "running",
        JobState::Standby => "standby (not the leader)",
        JobState::Stopped => "stopped",
    };
    view! {
        <tr>
            <td>{j.name}</td>
            <td>{state}</td>
            <td>{j.runs}</td>
            <td>{match j.last_finished.or(j.last_started) {
                Some(at) => view! { <LocalTime unix=at/> }.into_any(),
                None => view! { <span class="muted">"not yet"</span> }.into_any(),
            }}</td>
            <td>{j.last_error.unwrap_or_default()}</td>
        </tr>
    }
}

type NodeAction = Action<(&'static str, String), Result<Ack, ApiError>>;

#[component]
fn ClusterView(s: ClusterStatus, act: NodeAction, is_admin: Signal<bool>) -> impl IntoView {
    let names: Vec<String> = s.nodes.iter().map(|n| n.name.clone()).collect();
    let mesh = s.nodes.clone();
    view! {
        <div class="cards">
            {s.nodes.into_iter().map(|n| view! { <NodeCard n act is_admin/> }).collect_view()}
        </div>

        <h2>"Replication health"</h2>
        <div class="cards copies">
            <div class="card stat" data-testid="copies-3"><strong>{s.three_copies}</strong>" with 3 copies"</div>
            <div class="card stat" data-testid="copies-2"><strong>{s.two_copies}</strong>" with 2 copies (degraded)"</div>
            <div class="card stat" data-testid="copies-1"><strong>{s.one_copy}</strong>" with 1 copy (at risk)"</div>
            <div class="card stat" data-testid="copies-0"><strong>{s.no_copy}</strong>" unreadable now"</div>
        </div>

        <h2>"Mesh"</h2>
        <p class="muted">"Which node can reach which, as each node sees it."</p>
        <table class="table mesh" data-testid="mesh">
            <thead><tr><th>"From \\ to"</th>{names.iter().map(|n| view! { <th>{n.clone()}</th> }).collect_view()}</tr></thead>
            <tbody>
                {mesh.into_iter().map(|from| {
                    let cells = names.iter().map(|to| {
                        let cell = if *to == from.name {
                            "—".into_any()
                        } else if !from.up {
                            "?".into_any()
                        } else {
                            match from.peers.iter().find(|p| &p.name == to) {
                                Some(p) if p.up => {
                                    let ms = format!(" {} ms", p.latency_ms.unwrap_or(0));
                                    view! { <Icon kind=IconKind::Check label="reachable"/>{ms} }.into_any()
                                }
                                Some(_) => view! { <Icon kind=IconKind::Cross label="unreachable"/> }.into_any(),
                                None => "…".into_any(),
                            }
                        };
                        view! { <td>{cell}</td> }
                    }).collect_view();
                    view! { <tr><th>{from.name.clone()}</th>{cells}</tr> }
                }).collect_view()}
            </tbody>
        </table>

        <h2>"Repair queue"</h2>
        <p data-testid="repair-queue">{format!("{} replica(s) waiting.", s.repair_queue_len)}</p>
        {(!s.repair_queue.is_empty()).then(|| view! {
            <table class="table">
                <thead><tr><th>"Object"</th><th>"Node"</th><th>"Attempts"</th><th>"Last error"</th></tr></thead>
                <tbody>
                    {s.repair_queue.into_iter().map(|r| view! {
                        <tr><td class="ua">{r.object_id}</td><td>{r.node}</td><td>{r.attempts}</td><td>{r.last_error.unwrap_or_default()}</td></tr>
                    }).collect_view()}
                </tbody>
            </table>
        })}

        <h2>"Last verification"</h2>
        {match s.last_verification {
            None => view! { <p class="muted">"No verification has run yet."</p> }.into_any(),
            Some(v) => view! {
                <p data-testid="last-verification">
                    "Started " <LocalTime unix=v.started_at/> ": "
                    {format!("{} objects checked; {} good replicas, {} missing, {} corrupt, {} unreachable{}.",
                        v.objects, v.healthy, v.missing, v.corrupt, v.unreachable,
                        if v.finished_at.is_some() { "" } else { " (still running)" })}
                </p>
            }.into_any(),
        }}
    }
}

#[component]
fn NodeCard(n: NodeStatus, act: NodeAction, is_admin: Signal<bool>) -> impl IntoView {
    let name = n.name.clone();
    let up = n.up;
    view! {
        <article class="card node" data-testid=format!("node-{}", n.name) data-up=up.to_string()>
            <h2>{n.region.clone()}</h2>
            <p>
                <span class=if up { "badge" } else { "badge badge-down" }>{if up { "up" } else { "down" }}</span>
                " " {n.name.clone()}
            </p>
            <dl class="facts">
                <dt>"Address"</dt><dd>{n.url.clone()}</dd>
                <dt>"Latency"</dt><dd>{n.latency_ms.map(|l| format!("{l} ms")).unwrap_or_else(|| "—".into())}</dd>
                <dt>"Objects"</dt><dd>{n.objects}</dd>
                <dt>"Stored"</dt><dd>{if n.capacity_bytes == 0 {
                    format!("{} (no fixed capacity)", format::bytes(n.bytes))
                } else {
                    format!("{} of {}", format::bytes(n.bytes), format::bytes(n.capacity_bytes))
                }}</dd>
                <dt>"Last seen"</dt><dd>{match n.last_seen { Some(t) => view! { <LocalTime unix=t/> }.into_any(), None => view! { "never" }.into_any() }}</dd>
            </dl>
            {n.last_error.clone().map(|e| view! { <p class="alert alert-error" data-testid="node-error">{e}</p> })}
            <Show when=move || is_admin.get()>
                {
                    let name = name.clone();
                    view! {
                        <button
                            class="btn"
                            disabled=move || act.pending().get()
                            on:click=move |_| { act.dispatch((if up { "stop" } else { "start" }, name.clone())); }
                        >
                            {if up { "Stop node" } else { "Start node" }}
                        </button>
                    }
                }
            </Show>
        </article>
    }
}
