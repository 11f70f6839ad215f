//! The Team page's server functions (`/api/admin/`: Admins and the Owner) and the invitation
//! link's (`/api/invite/`: public, the link's token is the credential).

use crate::app::error::AppError;
use leptos::prelude::*;
use liaison_protocol::Role;
use liaison_protocol::team::{AcceptForm, InviteForm, ResetForm};
use serde::{Deserialize, Serialize};

#[cfg(feature = "ssr")]
use crate::app::auth::ssr::{operator_with, state};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Member {
    pub id: i64,
    pub name: String,
    pub email: String,
    pub role: Role,
    pub available: bool,
    pub deactivated: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PendingInvite {
    pub email: String,
    pub role: Role,
    pub invited_by: String,
    pub expires_at: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Team {
    /// The signed-in operator: the page offers nothing about themselves.
    pub me: i64,
    pub my_role: Role,
    pub members: Vec<Member>,
    pub pending: Vec<PendingInvite>,
    /// The roles the signed-in operator may invite.
    pub may_invite: Vec<Role>,
}

/// A new invitation: the link to send (a path on this server; the page adds its origin).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct InviteLink {
    pub path: String,
    pub email: String,
    pub role: Role,
    pub expires_at: i64,
}

/// Who an invitation link is for, shown before they choose a name and password.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Invitation {
    pub email: String,
    pub role: Role,
}

/// Where an invitation link points: `/invite/{token}`.
pub const INVITE_PAGE: &str = "/invite/";
/// Where a password reset link points: `/reset/{token}`.
pub const RESET_PAGE: &str = "/reset/";

/// A new password reset link, to copy and send to the operator.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ResetLink {
    pub path: String,
    pub name: String,
    pub expires_at: i64,
}

/// Whose password a reset link resets, shown before they choose a new one.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ResetFor {
    pub name: String,
    pub email: String,
}

#[server(prefix = "/api/admin")]
pub async fn current_team() -> Result<Team, AppError> {
    use crate::server::db;
    let me = operator_with(Role::Admin).await?;
    let pool = &state()?.db.read;
    let members = db::users::members(pool)
        .await?
        .into_iter()
        .filter_map(|m| {
            Some(Member {
                role: Role::parse(&m.role)?,
                id: m.id,
                name: m.name,
                email: m.email,
                available: m.available,
                deactivated: m.deactivated,
            })
        })
        .collect();
    let pending = db::invites::pending(pool, crate::server::now_ms())
        .await?
        .into_iter()
        .filter_map(|p| {
            Some(PendingInvite {
                role: Role::parse(&p.role)?,
                email: p.email,
                invited_by: p.invited_by,
                expires_at: p.expires_at,
            })
        })
        .collect();
    let may_invite = [Role::Agent, Role::Admin]
        .into_iter()
        .filter(|r| liaison_protocol::team::may_invite(me.role, *r).is_ok())
        .collect();
    Ok(Team {
        me: me.id,
        my_role: me.role,
        members,
        pending,
        may_invite,
    })
}

/// Invites an operator: a one-time link, valid for `INVITE_DAYS`, shown once to copy.
#[server(prefix = "/api/admin")]
pub async fn invite_operator(form: InviteForm) -> Result<InviteLink, AppError> {
    use crate::server::{db, now_ms, visitor_tokens};
    let me = operator_with(Role::Admin).await?;
    let (email, role) = form
        .check(me.role)
        .map_err(|e| AppError::Invalid(e).respond())?;
    let db = &state()?.db;
    if db::users::find_by_email(&db.read, &email).await?.is_some() {
        return Err(AppError::Invalid(format!("{email} is already on the team.")).respond());
    }
    let token = visitor_tokens::new_token();
    let now = now_ms();
    let expires_at = now + liaison_protocol::team::INVITE_DAYS * 24 * 3600 * 1000;
    let mut tx = db.write().await?;
    db::invites::insert(
        tx.conn(),
        &visitor_tokens::hash(&token),
        &email,
        role,
        me.id,
        now,
        expires_at,
    )
    .await?;
    tx.commit().await?;
    Ok(InviteLink {
        path: format!("{INVITE_PAGE}{token}"),
        email,
        role,
        expires_at,
    })
}

/// The operator `id`, active, and their role; NotFound otherwise.
#[cfg(feature = "ssr")]
async fn teammate(id: i64) -> Result<crate::server::db::users::UserRow, AppError> {
    crate::server::db::users::find(&state()?.db.read, id)
        .await?
        .ok_or_else(|| AppError::NotFound.respond())
}

/// Deactivates an operator: they cannot sign in any more, their sessions end at once (every
/// request refused, every stream closed, on every instance), and the conversations they hold
/// are released, live, to the queue.
#[server(prefix = "/api/admin")]
pub async fn deactivate_operator(id: i64) -> Result<(), AppError> {
    use crate::server::{conversations, db, now_ms};
    let me = operator_with(Role::Admin).await?;
    let target = teammate(id).await?;
    liaison_protocol::team::may_deactivate(me.role, target.role, me.id == target.id)
        .map_err(|e| AppError::Invalid(e.into()).respond())?;
    let state = state()?;
    let mut tx = state.db.write().await?;
    db::users::deactivate(tx.conn(), id, now_ms()).await?;
    tx.commit().await?;
    state.streams.end_operator(id, state.db.bus());
    // A team's handful of conversations each; what a rule keeps (one changed meanwhile) stays.
    // Pending delegations from or to them end first, so what they held is released too.
    let leaving = crate::server::auth::Operator::from(target);
    for conversation in db::conversations::delegations_of(&state.db.read, id, 10_000).await? {
        if let Err(e) = conversations::withdraw_delegation(&state.db, conversation, &leaving).await
        {
            tracing::warn!(
                conversation,
                "ending a deactivated operator's delegation: {e}"
            );
        }
    }
    for conversation in db::conversations::held_by(&state.db.read, id, 10_000).await? {
        if let Err(e) = conversations::leave(&state.db, conversation, id).await {
            tracing::warn!(conversation, "releasing a deactivated operator's lock: {e}");
        }
    }
    Ok(())
}

/// Changes an operator's role between Agent and Admin (the Owner only).
#[server(prefix = "/api/admin")]
pub async fn change_role(id: i64, role: String) -> Result<(), AppError> {
    let me = operator_with(Role::Admin).await?;
    let target = teammate(id).await?;
    let to = Role::parse(&role)
        .ok_or_else(|| AppError::Invalid(format!("{role:?} is not a role.")).respond())?;
    liaison_protocol::team::may_change_role(me.role, target.role, to)
        .map_err(|e| AppError::Invalid(e.into()).respond())?;
    let db = &state()?.db;
    let mut tx = db.write().await?;
    crate::server::db::users::set_role(tx.conn(), id, to).await?;
    tx.commit().await?;
    Ok(())
}

/// The Owner makes an Admin the Owner and becomes an Admin, in one transaction.
#[server(prefix = "/api/owner")]
pub async fn transfer_ownership(id: i64) -> Result<(), AppError> {
    use crate::server::db;
    let me = operator_with(Role::Owner).await?;
    let target = teammate(id).await?;
    liaison_protocol::team::may_transfer_ownership(me.role, target.role, me.id == target.id)
        .map_err(|e| AppError::Invalid(e.into()).respond())?;
    let db = &state()?.db;
    let mut tx = db.write().await?;
    if !db::users::set_role(tx.conn(), id, Role::Owner).await? {
        return Err(AppError::NotFound.respond());
    }
    db::users::set_role(tx.conn(), me.id, Role::Admin).await?;
    tx.commit().await?;
    Ok(())
}

/// Who a link invites, or why it cannot be used.
#[server(prefix = "/api/invite")]
pub async fn find_invitation(token: String) -> Result<Invitation, AppError> {
    let db = &state()?.db;
    let mut conn = db.read.acquire().await?;
    let found = crate::server::db::invites::usable(
        conn.conn(),
        &crate::server::visitor_tokens::hash(token.trim()),
        crate::server::now_ms(),
    )
    .await?;
    let invite = found.ok_or_else(|| AppError::Invalid(UNUSABLE.into()).respond())?;
    Ok(Invitation {
        email: invite.email,
        role: invite.role,
    })
}

#[cfg(feature = "ssr")]
const UNUSABLE: &str = "This invitation link is not valid: it was used, it expired, or it was mistyped. Ask for a new one.";

/// Accepts an invitation: the operator is created with the chosen name and password, the link
/// is spent, and they are signed in. A refusal changes nothing.
#[server(prefix = "/api/invite")]
pub async fn accept_invite(token: String, form: AcceptForm) -> Result<(), AppError> {
    use crate::server::{auth, db, now_ms, visitor_tokens};
    let (name, password) = form.check().map_err(|e| AppError::Invalid(e).respond())?;
    let db = &state()?.db;
    let hash = visitor_tokens::hash(token.trim());
    let now = now_ms();
    let password_hash = auth::hash_password(&password).await;
    let mut tx = db.write().await?;
    let invite = db::invites::usable(tx.conn(), &hash, now)
        .await?
        .ok_or_else(|| AppError::Invalid(UNUSABLE.into()).respond())?;
    if !db::invites::accept(tx.conn(), invite.id, now).await? {
        return Err(AppError::Invalid(UNUSABLE.into()).respond());
    }
    // The address may have joined by another way since the invitation was sent.
    let id = match db::users::insert(tx.conn(), &invite.email, &name, &password_hash, invite.role)
        .await
    {
        Ok(id) => id,
        Err(sqlx::Error::Database(e)) if e.is_unique_violation() => {
            let taken = format!("{} is already on the team.", invite.email);
            return Err(AppError::Invalid(taken).respond());
        }
        Err(e) => return Err(e.into()),
    };
    tx.commit().await?;
    crate::app::auth::ssr::sign_in_new(id).await?;
    leptos_axum::redirect("/");
    Ok(())
}

/// A one-time link that lets an operator below the caller choose a new password, valid for
/// `RESET_HOURS`; a newer link replaces it. Their password and sessions stay as they are until
/// the link is used.
#[server(prefix = "/api/admin")]
pub async fn reset_password_link(id: i64) -> Result<ResetLink, AppError> {
    use crate::server::{db, now_ms, visitor_tokens};
    let me = operator_with(Role::Admin).await?;
    let target = teammate(id).await?;
    liaison_protocol::team::may_reset_password(me.role, target.role, me.id == target.id)
        .map_err(|e| AppError::Invalid(e.into()).respond())?;
    let token = visitor_tokens::new_token();
    let now = now_ms();
    let expires_at = now + liaison_protocol::team::RESET_HOURS * 3600 * 1000;
    let db = &state()?.db;
    let mut tx = db.write().await?;
    db::password_resets::insert(
        tx.conn(),
        &visitor_tokens::hash(&token),
        id,
        me.id,
        now,
        expires_at,
    )
    .await?;
    tx.commit().await?;
    Ok(ResetLink {
        path: format!("{RESET_PAGE}{token}"),
        name: target.name,
        expires_at,
    })
}

#[cfg(feature = "ssr")]
const RESET_UNUSABLE: &str = "This password reset link is not valid: it was used, replaced by a newer one, it expired, or it was mistyped. Ask for a new one.";

/// Whose password a reset link resets, or why it cannot be used.
#[server(prefix = "/api/reset")]
pub async fn find_reset(token: String) -> Result<ResetFor, AppError> {
    let found = crate::server::db::password_resets::usable(
        &state()?.db.read,
        &crate::server::visitor_tokens::hash(token.trim()),
        crate::server::now_ms(),
    )
    .await?
    .ok_or_else(|| AppError::Invalid(RESET_UNUSABLE.into()).respond())?;
    Ok(ResetFor {
        name: found.name,
        email: found.email,
    })
}

/// Uses a reset link: the new password is set, the link spent, every session signed in with
/// the old password ends (on every instance), and this browser is signed in. A refusal changes
/// nothing.
#[server(prefix = "/api/reset")]
pub async fn reset_password(token: String, form: ResetForm) -> Result<(), AppError> {
    use crate::server::{auth, db, now_ms, visitor_tokens};
    let password = form.check().map_err(|e| AppError::Invalid(e).respond())?;
    let state = state()?;
    let now = now_ms();
    let found =
        db::password_resets::usable(&state.db.read, &visitor_tokens::hash(token.trim()), now)
            .await?
            .ok_or_else(|| AppError::Invalid(RESET_UNUSABLE.into()).respond())?;
    let hash = auth::hash_password(&password).await;
    let mut tx = state.db.write().await?;
    if !db::password_resets::spend(tx.conn(), found.id, now).await? {
        return Err(AppError::Invalid(RESET_UNUSABLE.into()).respond());
    }
    db::users::set_password_hash(tx.conn(), found.user_id, &hash).await?;
    tx.commit().await?;
    state.streams.end_operator(found.user_id, state.db.bus());
    crate::app::auth::ssr::sign_in_new(found.user_id).await?;
    leptos_axum::redirect("/");
    Ok(())
}
