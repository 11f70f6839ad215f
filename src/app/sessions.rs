//! Signed-in sessions: every operator sees where they are signed in (Profile) and ends any of
//! those sessions; Admins and the Owner do the same for the operators below them (Team). An
//! ended session is refused at its next request and its live streams close at once, on every
//! instance.

use crate::app::error::AppError;
use crate::app::format;
use leptos::prelude::*;
use liaison_protocol::sessions::SignedInSession;

#[cfg(feature = "ssr")]
mod ssr {
    use super::*;
    use crate::app::auth::ssr::{operator_with, state};
    use crate::server::auth::{Operator, idle_cutoff};
    use crate::server::db::operator_sessions;
    use liaison_protocol::Role;

    /// `user`'s sessions as listed, `current` marked.
    pub async fn list(user: i64, current: Option<i64>) -> Result<Vec<SignedInSession>, AppError> {
        let since = idle_cutoff(crate::server::now_ms());
        let rows = operator_sessions::of_operator(&state()?.db.read, user, since).await?;
        Ok(rows
            .into_iter()
            .map(|r| SignedInSession {
                current: Some(r.id) == current,
                device: liaison_protocol::sessions::device_name(&r.user_agent),
                id: r.id,
                created_at: r.created_at,
                last_seen_at: r.last_seen_at,
                user_agent: r.user_agent,
                address: r.address,
            })
            .collect())
    }

    /// Ends `user`'s session `id`, or all of them but `keep` when `id` is None; closes their
    /// streams everywhere. NotFound if `id` is not one of theirs.
    pub async fn end(user: i64, id: Option<i64>, keep: Option<i64>) -> Result<(), AppError> {
        let state = state()?;
        let mut tx = state.db.write().await?;
        let ended = match id {
            Some(id) => {
                if !operator_sessions::end(tx.conn(), user, id).await? {
                    return Err(AppError::NotFound.respond());
                }
                vec![id]
            }
            None => operator_sessions::end_all(tx.conn(), user, keep).await?,
        };
        tx.commit().await?;
        state.streams.end_signed_in(&ended, state.db.bus());
        Ok(())
    }

    /// The active operator `id` if the caller may see and end their sessions.
    pub async fn below_me(id: i64) -> Result<Operator, AppError> {
        let me = operator_with(Role::Admin).await?;
        let target = crate::server::db::users::find(&state()?.db.read, id)
            .await?
            .ok_or_else(|| AppError::NotFound.respond())?;
        liaison_protocol::sessions::may_end_sessions(me.role, target.role, me.id == target.id)
            .map_err(|e| AppError::Invalid(e.into()).respond())?;
        Ok(Operator::from(target))
    }
}

/// Where the signed-in operator is signed in, the most recently used first.
#[server]
pub async fn my_sessions() -> Result<Vec<SignedInSession>, AppError> {
    let me = crate::app::auth::ssr::operator().await?;
    ssr::list(me.id, me.session).await
}

/// Ends one of the signed-in operator's sessions (this one too, if they ask: that is signing
/// out).
#[server]
pub async fn end_my_session(id: i64) -> Result<(), AppError> {
    let me = crate::app::auth::ssr::operator().await?;
    ssr::end(me.id, Some(id), None).await
}

/// Ends every session of the signed-in operator but this one.
#[server]
pub async fn end_my_other_sessions() -> Result<(), AppError> {
    let me = crate::app::auth::ssr::operator().await?;
    ssr::end(me.id, None, me.session).await
}

/// An operator's sessions, for those above them.
#[server(prefix = "/api/admin")]
pub async fn operator_sessions(operator: i64) -> Result<Vec<SignedInSession>, AppError> {
    let target = ssr::below_me(operator).await?;
    ssr::list(target.id, None).await
}

/// Ends one session of an operator below the caller, or (no `id`) all of them: signed out
/// everywhere.
#[server(prefix = "/api/admin")]
pub async fn end_operator_sessions(operator: i64, id: Option<i64>) -> Result<(), AppError> {
    let target = ssr::below_me(operator).await?;
    ssr::end(target.id, id, None).await
}

/// The sessions as a table; `end` ends one. The current one is marked, and ending it is the
/// top bar's "Sign out".
#[component]
fn SessionTable(sessions: Vec<SignedInSession>, end: Callback<i64>) -> impl IntoView {
    let now = format::clock_ms();
    if sessions.is_empty() {
        return view! { <p class="muted">"No session is signed in."</p> }.into_any();
    }
    view! {
        <table class="sessions-table">
            <thead><tr>
                <th>"Browser"</th><th>"Address"</th><th>"Signed in"</th><th>"Last active"</th><th></th>
            </tr></thead>
            <tbody>
                {sessions.into_iter().map(|s| {
                    let id = s.id;
                    view! {
                        <tr class="session" class:current=s.current>
                            <td title=s.user_agent>{s.device}</td>
                            <td>{s.address}</td>
                            <td>{format::date_time(s.created_at)}</td>
                            <td>{format::ago(now, s.last_seen_at)}</td>
                            <td class="actions">
                                {if s.current {
                                    view! { <span class="badge">"This browser"</span> }.into_any()
                                } else {
                                    view! {
                                        <button type="button" class="secondary end-session"
                                            on:click=move |_| end.run(id)>"Sign out"</button>
                                    }.into_any()
                                }}
                            </td>
                        </tr>
                    }
                }).collect_view()}
            </tbody>
        </table>
    }
    .into_any()
}

fn outcome(r: Option<Result<(), AppError>>, done: &'static str) -> Option<AnyView> {
    r.map(|r| match r {
        Ok(()) => view! { <p class="notice" role="status">{done}</p> }.into_any(),
        Err(e) => view! { <p class="error" role="alert">{e.to_string()}</p> }.into_any(),
    })
}

/// The Profile page's "Sessions" card: where the operator is signed in.
#[component]
pub fn MySessions() -> impl IntoView {
    let end_one = ServerAction::<EndMySession>::new();
    let end_others = ServerAction::<EndMyOtherSessions>::new();
    let sessions = crate::app::codec::resource(
        move || (end_one.version().get(), end_others.version().get()),
        |_| my_sessions(),
    );
    let end = Callback::new(move |id| {
        end_one.dispatch(EndMySession { id });
    });
    view! {
        <section class="card sessions">
            <h2>"Sessions"</h2>
            <p class="muted">"Where you are signed in. Sign out of any you do not recognise, then change your password."</p>
            {move || outcome(end_one.value().get(), "Signed out of that session.")}
            {move || outcome(end_others.value().get(), "Signed out of every other session.")}
            <Transition fallback=|| ()>
                {move || Suspend::new(async move {
                    match sessions.await {
                        Ok(list) => view! { <SessionTable sessions=list end/> }.into_any(),
                        Err(e) => view! { <p class="error" role="alert">{e.to_string()}</p> }.into_any(),
                    }
                })}
            </Transition>
            <button type="button" class="secondary end-other-sessions"
                on:click=move |_| { end_others.dispatch(EndMyOtherSessions {}); }>
                "Sign out of all other sessions"
            </button>
        </section>
    }
}

/// The Team page's view of one operator's sessions, with "Sign out everywhere".
#[component]
pub fn MemberSessions(operator: i64, name: String) -> impl IntoView {
    let end = ServerAction::<EndOperatorSessions>::new();
    let sessions = crate::app::codec::resource(
        move || end.version().get(),
        move |_| operator_sessions(operator),
    );
    let end_one = Callback::new(move |id| {
        end.dispatch(EndOperatorSessions {
            operator,
            id: Some(id),
        });
    });
    view! {
        <div class="member-sessions">
            <h3>{format!("{name}'s sessions")}</h3>
            {move || outcome(end.value().get(), "Signed out.")}
            <Transition fallback=|| ()>
                {move || Suspend::new(async move {
                    match sessions.await {
                        Ok(list) => view! { <SessionTable sessions=list end=end_one/> }.into_any(),
                        Err(e) => view! { <p class="error" role="alert">{e.to_string()}</p> }.into_any(),
                    }
                })}
            </Transition>
            <button type="button" class="danger end-all-sessions"
                on:click=move |_| { end.dispatch(EndOperatorSessions { operator, id: None }); }>
                "Sign out everywhere"
            </button>
        </div>
    }
}
