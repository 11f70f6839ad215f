//! The inbox: which conversations each tab and channel shows, what one row of the list carries,
//! and the counts on the tabs. Pure, so the server's SQL, the events that patch the dashboard and
//! the dashboard's own patching agree on one definition.

use crate::ConversationStatus;
use serde::{Deserialize, Serialize};

/// The five filter tabs of the Conversations page.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Tab {
    #[default]
    All,
    /// Active and unresolved: open, or delegated while a handoff is pending.
    Open,
    /// The priority queue: a visitor waits for a human.
    NeedsAgent,
    Resolved,
    /// A meeting was scheduled.
    Booked,
}

impl Tab {
    pub const ALL: [Tab; 5] = [
        Tab::All,
        Tab::Open,
        Tab::NeedsAgent,
        Tab::Resolved,
        Tab::Booked,
    ];

    /// The URL and wire spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            Tab::All => "all",
            Tab::Open => "open",
            Tab::NeedsAgent => "needs_agent",
            Tab::Resolved => "resolved",
            Tab::Booked => "booked",
        }
    }

    pub fn parse(s: &str) -> Option<Tab> {
        Self::ALL.into_iter().find(|t| t.as_str() == s)
    }

    pub fn label(self) -> &'static str {
        match self {
            Tab::All => "All",
            Tab::Open => "Open",
            Tab::NeedsAgent => "Needs agent",
            Tab::Resolved => "Resolved",
            Tab::Booked => "Booked",
        }
    }

    /// Whether a conversation in this state belongs on this tab.
    pub fn admits(self, status: ConversationStatus, booked: bool) -> bool {
        match self {
            Tab::All => true,
            Tab::Open => matches!(
                status,
                ConversationStatus::Open | ConversationStatus::Delegated
            ),
            Tab::NeedsAgent => status == ConversationStatus::NeedsAgent,
            Tab::Resolved => status == ConversationStatus::Resolved,
            Tab::Booked => booked,
        }
    }
}

/// Where a conversation comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Channel {
    #[default]
    Widget,
    Whatsapp,
}

impl Channel {
    pub const ALL: [Channel; 2] = [Channel::Widget, Channel::Whatsapp];

    pub fn as_str(self) -> &'static str {
        match self {
            Channel::Widget => "widget",
            Channel::Whatsapp => "whatsapp",
        }
    }

    pub fn parse(s: &str) -> Option<Channel> {
        Self::ALL.into_iter().find(|c| c.as_str() == s)
    }

    pub fn label(self) -> &'static str {
        match self {
            Channel::Widget => "Widget",
            Channel::Whatsapp => "WhatsApp",
        }
    }
}

/// Who holds the conversations a list shows (the Overview's quick actions link to these).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Holder {
    /// The operator looking at the list.
    Mine,
    /// Nobody has joined.
    Unassigned,
}

impl Holder {
    pub const ALL: [Holder; 2] = [Holder::Mine, Holder::Unassigned];

    /// The URL spelling (`who=`).
    pub fn as_str(self) -> &'static str {
        match self {
            Holder::Mine => "mine",
            Holder::Unassigned => "unassigned",
        }
    }

    pub fn parse(s: &str) -> Option<Holder> {
        Self::ALL.into_iter().find(|h| h.as_str() == s)
    }

    pub fn label(self) -> &'static str {
        match self {
            Holder::Mine => "Mine",
            Holder::Unassigned => "Unassigned",
        }
    }

    /// Whether a conversation held by `assignee` belongs, for operator `me`.
    pub fn admits(self, assignee: Option<i64>, me: i64) -> bool {
        match self {
            Holder::Mine => assignee == Some(me),
            Holder::Unassigned => assignee.is_none(),
        }
    }
}

/// Which conversations a list shows: a tab and, optionally, one channel and who holds them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
pub struct Filter {
    pub tab: Tab,
    pub channel: Option<Channel>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub holder: Option<Holder>,
}

impl Filter {
    /// Whether the row belongs in the list operator `me` is looking at.
    pub fn admits(&self, c: &ConversationSummary, me: i64) -> bool {
        self.tab.admits(c.status, c.booked)
            && self.channel.is_none_or(|ch| ch == c.channel)
            && self.holder.is_none_or(|h| h.admits(c.assignee_id, me))
    }
}

/// One row of the conversation list: everything the row shows, so an event that carries it
/// patches the list without another request.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ConversationSummary {
    pub id: i64,
    pub visitor_id: i64,
    /// The visitor's name, else their WhatsApp number, else "Visitor #id".
    pub visitor: String,
    /// How many conversations this customer has had, this one included.
    pub visitor_conversations: i64,
    pub channel: Channel,
    pub status: ConversationStatus,
    pub message_count: i64,
    pub last_message: Option<String>,
    pub assignee_id: Option<i64>,
    pub assignee_name: Option<String>,
    /// 1–5 stars when the customer rated the conversation.
    pub rating: Option<u8>,
    pub booked: bool,
    pub created_at: i64,
    pub last_activity_at: i64,
    /// When it was resolved; the duration runs to here (or to now while it is open).
    pub resolved_at: Option<i64>,
    /// The delegation waiting for an answer (status Delegated).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub delegation: Option<Delegation>,
}

/// A pending delegation: who was asked to take the conversation over, and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Delegation {
    pub to_id: i64,
    pub to_name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
}

/// A visitor on the customer's site now (their widget is open on a page), chatting or not.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LiveVisitor {
    pub visitor_id: i64,
    pub visitor: String,
    pub page: Option<String>,
    pub browser: Option<String>,
    /// When this visit began (ms since the epoch): "time on site".
    pub since: i64,
}

/// The longest preview an event or a row carries.
pub const PREVIEW_CHARS: usize = 140;

/// A message body cut to a one-line preview.
pub fn preview(body: &str) -> String {
    let flat: String = body.split_whitespace().collect::<Vec<_>>().join(" ");
    if flat.chars().count() <= PREVIEW_CHARS {
        flat
    } else {
        let mut cut: String = flat.chars().take(PREVIEW_CHARS - 1).collect();
        cut.push('…');
        cut
    }
}

/// A session is "NEW" for this long after it started.
pub const NEW_FOR_MS: i64 = 10 * 60 * 1000;

/// How many conversations each tab holds.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Counts {
    pub all: i64,
    pub open: i64,
    pub needs_agent: i64,
    pub resolved: i64,
    pub booked: i64,
}

impl Counts {
    pub fn get(&self, tab: Tab) -> i64 {
        match tab {
            Tab::All => self.all,
            Tab::Open => self.open,
            Tab::NeedsAgent => self.needs_agent,
            Tab::Resolved => self.resolved,
            Tab::Booked => self.booked,
        }
    }

    /// Adds `n` conversations of this status (and booking) to the tabs they belong to.
    pub fn add(&mut self, status: ConversationStatus, booked: bool, n: i64) {
        for tab in Tab::ALL {
            if tab.admits(status, booked) {
                *self.get_mut(tab) += n;
            }
        }
    }

    fn get_mut(&mut self, tab: Tab) -> &mut i64 {
        match tab {
            Tab::All => &mut self.all,
            Tab::Open => &mut self.open,
            Tab::NeedsAgent => &mut self.needs_agent,
            Tab::Resolved => &mut self.resolved,
            Tab::Booked => &mut self.booked,
        }
    }

    pub fn plus(mut self, other: Counts) -> Counts {
        for tab in Tab::ALL {
            *self.get_mut(tab) += other.get(tab);
        }
        self
    }
}

/// The tab counts per channel; the page shows the selected channel's or their sum.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct InboxCounts {
    pub widget: Counts,
    pub whatsapp: Counts,
}

impl InboxCounts {
    pub fn for_channel(&self, channel: Option<Channel>) -> Counts {
        match channel {
            None => self.widget.plus(self.whatsapp),
            Some(Channel::Widget) => self.widget,
            Some(Channel::Whatsapp) => self.whatsapp,
        }
    }

    pub fn channel_mut(&mut self, channel: Channel) -> &mut Counts {
        match channel {
            Channel::Widget => &mut self.widget,
            Channel::Whatsapp => &mut self.whatsapp,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ConversationStatus::*;

    #[test]
    fn holders_admit_by_who_holds_the_lock() {
        assert!(Holder::Mine.admits(Some(3), 3));
        assert!(!Holder::Mine.admits(Some(4), 3));
        assert!(!Holder::Mine.admits(None, 3));
        assert!(Holder::Unassigned.admits(None, 3));
        assert!(!Holder::Unassigned.admits(Some(3), 3));
        for h in Holder::ALL {
            assert_eq!(Holder::parse(h.as_str()), Some(h));
        }
        assert_eq!(Holder::parse("someone"), None);
    }

    #[test]
    fn tabs_admit_by_status_and_booking() {
        assert!(Tab::Open.admits(Open, false));
        assert!(Tab::Open.admits(Delegated, false));
        assert!(!Tab::Open.admits(NeedsAgent, false));
        assert!(Tab::NeedsAgent.admits(NeedsAgent, true));
        assert!(Tab::Booked.admits(Resolved, true));
        assert!(!Tab::Booked.admits(Resolved, false));
        for s in ConversationStatus::ALL {
            assert!(Tab::All.admits(s, false));
        }
        for t in Tab::ALL {
            assert_eq!(Tab::parse(t.as_str()), Some(t));
        }
        assert_eq!(Tab::parse("closed"), None);
    }

    #[test]
    fn counts_add_to_every_tab_that_admits() {
        let mut c = Counts::default();
        c.add(Delegated, true, 2);
        c.add(NeedsAgent, false, 1);
        assert_eq!(
            c,
            Counts {
                all: 3,
                open: 2,
                needs_agent: 1,
                resolved: 0,
                booked: 2
            }
        );
        let both = InboxCounts {
            widget: c,
            whatsapp: c,
        };
        assert_eq!(both.for_channel(None).all, 6);
        assert_eq!(both.for_channel(Some(Channel::Whatsapp)).open, 2);
    }

    #[test]
    fn previews_are_one_short_line() {
        assert_eq!(preview("  hello\n\n world "), "hello world");
        let long = "word ".repeat(100);
        let p = preview(&long);
        assert_eq!(p.chars().count(), PREVIEW_CHARS);
        assert!(p.ends_with('…'));
    }
}
