//! The live visitors panel: who is on the customer's site now, chatting or not, with their
//! current page, time on site and browser. Read once, then patched by `visitor_online` and
//! `visitor_offline` events.

use super::api::live_visitors;
use crate::app::format::{clock_ms, duration};
use crate::app::live::use_live;
use leptos::prelude::*;
use liaison_protocol::{Event, LiveVisitor};

#[component]
pub fn LiveVisitorsPanel() -> impl IntoView {
    let live = use_live();
    let loaded = crate::app::codec::resource(move || live.refetch.get(), |_| live_visitors());
    view! {
        <Transition fallback=|| ()>
            {move || Suspend::new(async move {
                match loaded.await {
                    Err(e) => view! { <p class="error">{e.to_string()}</p> }.into_any(),
                    Ok(l) => {
                        let visitors = RwSignal::new(l.visitors);
                        live.follow(l.cursor, move |_, event| match event {
                            Event::VisitorOnline { visitor } => visitors.update(|all| {
                                match all.iter_mut().find(|v| v.visitor_id == visitor.visitor_id) {
                                    Some(v) => *v = visitor.clone(),
                                    None => all.push(visitor.clone()),
                                }
                            }),
                            Event::VisitorOffline { visitor_id } => {
                                visitors.update(|all| all.retain(|v| v.visitor_id != *visitor_id));
                            }
                            _ => {}
                        });
                        let (now, shown_at) = (l.now, clock_ms());
                        let tick = live.tick;
                        let clock = move || {
                            tick.track();
                            now + (clock_ms() - shown_at)
                        };
                        view! {
                            <details class="live-visitors" open>
                                <summary>
                                    "Live visitors "
                                    <span class="badge" data-testid="live-visitors-count">
                                        {move || visitors.read().len()}
                                    </span>
                                </summary>
                                <Show when=move || visitors.read().is_empty()>
                                    <p class="muted small">"Nobody is on the site right now."</p>
                                </Show>
                                <ul>
                                    <For each=move || visitors.get() key=|v| (v.visitor_id, v.page.clone()) children=move |v: LiveVisitor| {
                                        let since = v.since;
                                        view! {
                                            <li class="live-visitor" data-visitor=v.visitor_id>
                                                <span class="name">{v.visitor}</span>
                                                <span class="page" title="Current page">{v.page.unwrap_or_default()}</span>
                                                <span class="on-site" title="Time on site">{move || duration(clock() - since)}</span>
                                                <span class="browser muted small">{v.browser.unwrap_or_default()}</span>
                                            </li>
                                        }
                                    }/>
                                </ul>
                            </details>
                        }
                            .into_any()
                    }
                }
            })}
        </Transition>
    }
}
