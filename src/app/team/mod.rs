//! The Team page (`/team`, Admins and the Owner): the operators and their roles, invitations
//! waiting to be accepted, and "Invite an operator": a one-time link, shown to copy. And the
//! page an invitation link opens (`/invite/{token}`, public), where the invitee chooses a name
//! and password; and the page a password reset link opens (`/reset/{token}`, public).

pub mod api;

use crate::app::auth::AuthCard;
use crate::app::format;
use api::{
    AcceptInvite, ChangeRole, DeactivateOperator, InviteOperator, Member, ResetPassword,
    ResetPasswordLink, TransferOwnership, current_team, find_invitation, find_reset,
};
use leptos::prelude::*;
use liaison_protocol::Role;
use liaison_protocol::sessions::may_end_sessions;
use liaison_protocol::team::{
    RESET_HOURS, may_change_role, may_deactivate, may_reset_password, may_transfer_ownership,
};

#[component]
pub fn TeamPage() -> impl IntoView {
    let invite = ServerAction::<InviteOperator>::new();
    let deactivate = ServerAction::<DeactivateOperator>::new();
    let change = ServerAction::<ChangeRole>::new();
    let transfer = ServerAction::<TransferOwnership>::new();
    let reset = ServerAction::<ResetPasswordLink>::new();
    let current = crate::app::codec::resource(
        move || {
            (
                invite.version().get(),
                deactivate.version().get(),
                change.version().get(),
                transfer.version().get(),
            )
        },
        |_| current_team(),
    );
    let refused = move || {
        [
            deactivate.value().get().and_then(|r| r.err()),
            change.value().get().and_then(|r| r.err()),
            transfer.value().get().and_then(|r| r.err()),
            reset.value().get().and_then(|r| r.err()),
        ]
        .into_iter()
        .flatten()
        .map(|e| view! { <p class="error" role="alert">{e.to_string()}</p> })
        .collect_view()
    };
    let outcome = move || {
        invite.value().get().map(|r| match r {
            Ok(link) => {
                let text = format!(
                    "Invitation for {} ({}). Send them this link; it works once, for 7 days:",
                    link.email,
                    link.role.label()
                );
                view! { <CopyLink text path=link.path/> }.into_any()
            }
            Err(e) => view! { <p class="error" role="alert">{e.to_string()}</p> }.into_any(),
        })
    };
    view! {
        <div class="page team-page">
            <header class="page-header"><h1>"Team"</h1></header>
            <Transition fallback=|| view! { <p class="muted">"Loading…"</p> }>
                {move || Suspend::new(async move {
                    match current.await {
                        Err(e) => view! { <p class="error" role="alert">{e.to_string()}</p> }.into_any(),
                        Ok(t) => {
                            let now = format::clock_ms();
                            view! {
                                <section class="card">
                                    <h2>"Invite an operator"</h2>
                                    <p class="muted small">"They get a one-time link, valid for 7 days, where they choose their name and password. Admins invite Agents; only the Owner invites Admins."</p>
                                    <ActionForm action=invite attr:class="settings-form invite-form">
                                        <label>"Email" <input type="email" name="form[email]" required/></label>
                                        <label>"Role"
                                            <select name="form[role]">
                                                {t.may_invite.iter().map(|r| view! {
                                                    <option value=r.as_str()>{r.label()}</option>
                                                }).collect_view()}
                                            </select>
                                        </label>
                                        <button type="submit" class="primary">"Create the invitation link"</button>
                                    </ActionForm>
                                    {outcome}
                                </section>
                                <section class="card">
                                    <h2>"Operators"</h2>
                                    {refused}
                                    {move || reset.value().get().and_then(|r| r.ok()).map(|link| {
                                        let text = format!(
                                            "Password reset link for {}. Send it to them; it works once, for {RESET_HOURS} hours, and their password stays as it is until they use it:",
                                            link.name
                                        );
                                        view! { <CopyLink text path=link.path/> }
                                    })}
                                    <table class="team">
                                        <thead><tr><th>"Name"</th><th>"Email"</th><th>"Role"</th><th>"Availability"</th><th></th></tr></thead>
                                        <tbody>
                                            {t.members.into_iter().map(|m| {
                                                let (me, my_role) = (t.me, t.my_role);
                                                view! { <MemberRow m me my_role deactivate change transfer reset/> }
                                            }).collect_view()}
                                        </tbody>
                                    </table>
                                </section>
                                <Show when={
                                    let empty = t.pending.is_empty();
                                    move || !empty
                                }>
                                    <section class="card">
                                        <h2>"Invitations not accepted yet"</h2>
                                        <ul class="pending-invites">
                                            {t.pending.clone().into_iter().map(|p| view! {
                                                <li>
                                                    {p.email}" · "{p.role.label()}" · invited by "{p.invited_by}
                                                    " · expires in "{format::duration(p.expires_at - now)}
                                                </li>
                                            }).collect_view()}
                                        </ul>
                                    </section>
                                </Show>
                            }.into_any()
                        }
                    }
                })}
            </Transition>
        </div>
    }
}

/// One operator, with what the signed-in operator may do about them (the same rules the
/// server applies: `protocol/src/team.rs`).
#[component]
fn MemberRow(
    m: Member,
    me: i64,
    my_role: Role,
    deactivate: ServerAction<DeactivateOperator>,
    change: ServerAction<ChangeRole>,
    transfer: ServerAction<TransferOwnership>,
    reset: ServerAction<ResetPasswordLink>,
) -> impl IntoView {
    let id = m.id;
    let active = !m.deactivated && m.id != me;
    let may_reset = active && may_reset_password(my_role, m.role, false).is_ok();
    let may_off = active && may_deactivate(my_role, m.role, false).is_ok();
    let other = if m.role == Role::Admin {
        Role::Agent
    } else {
        Role::Admin
    };
    let may_change = active && may_change_role(my_role, m.role, other).is_ok();
    let may_transfer = active && may_transfer_ownership(my_role, m.role, false).is_ok();
    let may_see_sessions = active && may_end_sessions(my_role, m.role, false).is_ok();
    let sessions_open = RwSignal::new(false);
    let name = m.name.clone();
    let sessions_of = m.name.clone();
    let hand_over = move |_| {
        // The one who does it cannot undo it: ask first.
        #[cfg(feature = "hydrate")]
        {
            let question = format!("Make {name} the Owner? You become an Admin.");
            if !window().confirm_with_message(&question).unwrap_or(false) {
                return;
            }
        }
        #[cfg(not(feature = "hydrate"))]
        let _ = &name;
        transfer.dispatch(TransferOwnership { id });
    };
    let status = if m.deactivated {
        "Deactivated"
    } else if m.available {
        "Online"
    } else {
        "Away"
    };
    view! {
        <tr class:deactivated=m.deactivated>
            <td class="name">{m.name}</td>
            <td>{m.email}</td>
            <td class="role">{m.role.label()}</td>
            <td>{status}</td>
            <td class="actions">
                <Show when=move || may_change>
                    <button type="button" class="secondary make-role"
                        on:click=move |_| { change.dispatch(ChangeRole { id, role: other.as_str().into() }); }>
                        {format!("Make {}", other.label())}
                    </button>
                </Show>
                <Show when=move || may_transfer>
                    <button type="button" class="secondary make-owner" on:click=hand_over.clone()>
                        "Make Owner"
                    </button>
                </Show>
                <Show when=move || may_reset>
                    <button type="button" class="secondary reset-password"
                        on:click=move |_| { reset.dispatch(ResetPasswordLink { id }); }>
                        "Reset password"
                    </button>
                </Show>
                <Show when=move || may_see_sessions>
                    <button type="button" class="secondary show-sessions"
                        aria-expanded=move || sessions_open.get().to_string()
                        on:click=move |_| sessions_open.update(|o| *o = !*o)>
                        "Sessions"
                    </button>
                </Show>
                <Show when=move || may_off>
                    <button type="button" class="danger deactivate"
                        on:click=move |_| { deactivate.dispatch(DeactivateOperator { id }); }>
                        "Deactivate"
                    </button>
                </Show>
            </td>
        </tr>
        <Show when=move || sessions_open.get()>
            <tr class="member-sessions-row">
                <td colspan="5">
                    <crate::app::sessions::MemberSessions operator=id name=sessions_of.clone()/>
                </td>
            </tr>
        </Show>
    }
}

/// A new one-time link (an invitation, a password reset), to copy and send.
#[component]
fn CopyLink(text: String, path: String) -> impl IntoView {
    let url = RwSignal::new(path.clone());
    // The page knows the address operators reach this server at.
    Effect::new(move |_| {
        #[cfg(feature = "hydrate")]
        if let Ok(origin) = window().location().origin() {
            url.set(format!("{origin}{path}"));
        }
        #[cfg(not(feature = "hydrate"))]
        let _ = &path;
    });
    view! { <crate::app::copy::CopyField text value=Signal::derive(move || url.get()) button="Copy link"/> }
}

/// `/invite/{token}`: the invitee chooses a name and password, and is signed in.
#[component]
pub fn InvitePage() -> impl IntoView {
    let params = leptos_router::hooks::use_params_map();
    let token = move || params.read().get("token").unwrap_or_default();
    let found = crate::app::codec::resource(token, find_invitation);
    let accept = ServerAction::<AcceptInvite>::new();
    let error = move || match accept.value().get() {
        Some(Err(e)) => Some(e.to_string()),
        _ => None,
    };
    view! {
        <AuthCard>
                <Transition fallback=|| view! { <p class="muted">"Loading…"</p> }>
                    {move || Suspend::new(async move {
                        match found.await {
                            Err(e) => view! { <p class="error" role="alert">{e.to_string()}</p> }.into_any(),
                            Ok(invite) => view! {
                                <p class="muted">"You are invited to the support team as "
                                    {role_name(invite.role)}" ("{invite.email}"). Choose your name and password."</p>
                                <ActionForm action=accept>
                                    <input type="hidden" name="token" value=token()/>
                                    <label>"Your name" <input name="form[name]" required autocomplete="name"/></label>
                                    <label>"Password (10 characters or more)"
                                        <input type="password" name="form[password]" required minlength="10" autocomplete="new-password"/>
                                    </label>
                                    <button type="submit" class="primary">"Join the team"</button>
                                </ActionForm>
                            }.into_any(),
                        }
                    })}
                </Transition>
                <Show when=move || error().is_some()>
                    <p class="error" role="alert">{error}</p>
                </Show>
        </AuthCard>
    }
}

/// `/reset/{token}`: the operator chooses a new password and is signed in; every session with
/// the old one has ended.
#[component]
pub fn ResetPage() -> impl IntoView {
    let params = leptos_router::hooks::use_params_map();
    let token = move || params.read().get("token").unwrap_or_default();
    let found = crate::app::codec::resource(token, find_reset);
    let reset = ServerAction::<ResetPassword>::new();
    let error = move || match reset.value().get() {
        Some(Err(e)) => Some(e.to_string()),
        _ => None,
    };
    view! {
        <AuthCard>
            <Transition fallback=|| view! { <p class="muted">"Loading…"</p> }>
                {move || Suspend::new(async move {
                    match found.await {
                        Err(e) => view! { <p class="error" role="alert">{e.to_string()}</p> }.into_any(),
                        Ok(who) => view! {
                            <p class="muted">"Choose a new password for "{who.name}" ("{who.email}")."</p>
                            <ActionForm action=reset attr:class="reset-form">
                                <input type="hidden" name="token" value=token()/>
                                <label>"New password (10 characters or more)"
                                    <input type="password" name="form[new]" required minlength="10" autocomplete="new-password"/>
                                </label>
                                <label>"Once more"
                                    <input type="password" name="form[again]" required minlength="10" autocomplete="new-password"/>
                                </label>
                                <button type="submit" class="primary">"Set the password"</button>
                            </ActionForm>
                        }.into_any(),
                    }
                })}
            </Transition>
            <Show when=move || error().is_some()>
                <p class="error" role="alert">{error}</p>
            </Show>
        </AuthCard>
    }
}

fn role_name(role: Role) -> &'static str {
    match role {
        Role::Admin => "an Admin",
        _ => "an Agent",
    }
}
