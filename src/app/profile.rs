//! The Profile page (`/profile`, every operator): their own name, avatar colour and password,
//! and where they are signed in (`app::sessions`).

use crate::app::error::AppError;
use leptos::prelude::*;
use liaison_protocol::team::{AVATAR_COLOURS, PasswordForm, ProfileForm};

#[server]
pub async fn save_profile(form: ProfileForm) -> Result<(), AppError> {
    use crate::app::auth::ssr::{operator, state};
    let me = operator().await?;
    let (name, colour) = form.check().map_err(|e| AppError::Invalid(e).respond())?;
    let db = &state()?.db;
    let mut tx = db.write().await?;
    crate::server::db::users::set_profile(tx.conn(), me.id, &name, &colour).await?;
    tx.commit().await?;
    Ok(())
}

/// A new password: the current one must be right. This session stays signed in.
#[server]
pub async fn change_password(form: PasswordForm) -> Result<(), AppError> {
    use crate::app::auth::ssr::{operator, state};
    use crate::server::auth;
    let me = operator().await?;
    let new = form.check().map_err(|e| AppError::Invalid(e).respond())?;
    let db = &state()?.db;
    if auth::authenticate(db, &me.email, &form.current)
        .await?
        .is_none()
    {
        return Err(AppError::Invalid("Your current password is not right.".into()).respond());
    }
    let hash = auth::hash_password(&new).await;
    let mut tx = db.write().await?;
    crate::server::db::users::set_password_hash(tx.conn(), me.id, &hash).await?;
    tx.commit().await?;
    // Every session signed in with the old password ends, on every instance; this one goes on,
    // signed in again with the new password.
    let state = state()?;
    state.streams.end_operator(me.id, state.db.bus());
    crate::app::auth::ssr::sign_in_new(me.id).await?;
    Ok(())
}

/// The name and colour the top bar shows, once the Profile page has saved new ones.
#[derive(Clone, Copy)]
pub struct ProfileShown(pub RwSignal<Option<(String, String)>>);

#[component]
pub fn ProfilePage() -> impl IntoView {
    let save = ServerAction::<SaveProfile>::new();
    let password = ServerAction::<ChangePassword>::new();
    let me = crate::app::codec::resource(
        move || save.version().get(),
        |_| crate::app::auth::current_operator(),
    );
    if let Some(ProfileShown(shown)) = use_context::<ProfileShown>() {
        Effect::new(move |_| {
            if save.version().get() > 0
                && let Some(Ok(m)) = me.get()
            {
                shown.set(Some((m.name, m.colour)));
            }
        });
    }
    let saved = move || {
        save.value().get().map(|r| match r {
            Ok(()) => view! { <p class="notice" role="status">"Profile saved."</p> }.into_any(),
            Err(e) => view! { <p class="error" role="alert">{e.to_string()}</p> }.into_any(),
        })
    };
    let changed = move || {
        password.value().get().map(|r| match r {
            Ok(()) => view! { <p class="notice" role="status">"Password changed."</p> }.into_any(),
            Err(e) => view! { <p class="error" role="alert">{e.to_string()}</p> }.into_any(),
        })
    };
    view! {
        <div class="page profile-page">
            <header class="page-header"><h1>"Profile"</h1></header>
            <section class="card">
                <h2>"Name and colour"</h2>
                {saved}
                <Transition fallback=|| ()>
                    {move || Suspend::new(async move {
                        me.await.ok().map(|me| view! {
                            <ActionForm action=save attr:class="settings-form profile-form">
                                <label>"Name" <input name="form[name]" value=me.name required maxlength="80"/></label>
                                <fieldset class="avatar-colours">
                                    <legend>"Avatar colour"</legend>
                                    {AVATAR_COLOURS.iter().map(|c| view! {
                                        <label class="swatch" style=format!("--swatch:{c}") title=*c>
                                            <input type="radio" name="form[colour]" value=*c checked=me.colour == *c/>
                                        </label>
                                    }).collect_view()}
                                </fieldset>
                                <button type="submit" class="primary">"Save profile"</button>
                            </ActionForm>
                        })
                    })}
                </Transition>
            </section>
            <section class="card">
                <h2>"Password"</h2>
                {changed}
                <ActionForm action=password attr:class="settings-form password-form">
                    <label>"Current password" <input type="password" name="form[current]" required autocomplete="current-password"/></label>
                    <label>"New password (10 characters or more)" <input type="password" name="form[new]" required minlength="10" autocomplete="new-password"/></label>
                    <label>"New password again" <input type="password" name="form[again]" required minlength="10" autocomplete="new-password"/></label>
                    <button type="submit" class="secondary">"Change password"</button>
                </ActionForm>
            </section>
            <crate::app::sessions::MySessions/>
        </div>
    }
}
