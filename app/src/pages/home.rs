use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::A;

/// What the product is, rendered fully on the server.
#[component]
pub fn HomePage() -> impl IntoView {
    view! {
        <Title text="CloudDrive — your files in three regions, and people to learn from"/>
        <section class="hero">
            <h1>"Your files, kept in three regions at once."</h1>
            <p class="lead">
                "CloudDrive gives every account a 5 GB drive. Each file is copied to storage nodes "
                "in us-east, eu-west and asia, checked by checksum and repaired on its own, so a "
                "node going down never takes your files with it."
            </p>
            <p class="lead">
                "SkillShare Connect, in the same account, lets you find a teacher for a skill, "
                "pick a time that suits you, and book a session."
            </p>
            <div class="actions">
                <A href="/register" attr:class="btn btn-primary">"Create an account"</A>
                <A href="/login" attr:class="btn">"Log in"</A>
            </div>
        </section>
        <section class="cards">
            <article class="card">
                <h2>"Drive"</h2>
                <p>"Upload, download and organise files in the browser, with resumable uploads and a quota you can always see."</p>
            </article>
            <article class="card">
                <h2>"Three regions"</h2>
                <p>"Every file lives on three nodes. Reads fail over to a healthy copy; missing copies come back by themselves."</p>
            </article>
            <article class="card">
                <h2>"SkillShare Connect"</h2>
                <p>"Browse teachers and courses, see real availability in your time zone, and book sessions that cannot be double-booked."</p>
            </article>
            <article class="card">
                <h2>"Safe sign-in"</h2>
                <p>"Passwords are hashed with bcrypt, and every login needs a one-time code from your email."</p>
            </article>
        </section>
    }
}
