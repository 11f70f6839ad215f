//! Tickets: work that outlives a chat (a refund to check, a bug to fix). Made by hand or from
//! a conversation, with a priority, a status (open, pending, solved) and an assignee. What a
//! ticket form must hold, and the words the list shows, are pure rules here.

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TicketStatus {
    #[default]
    Open,
    /// Waiting on someone else (the customer, a supplier).
    Pending,
    Solved,
}

impl TicketStatus {
    pub const ALL: [TicketStatus; 3] = [
        TicketStatus::Open,
        TicketStatus::Pending,
        TicketStatus::Solved,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            TicketStatus::Open => "open",
            TicketStatus::Pending => "pending",
            TicketStatus::Solved => "solved",
        }
    }

    pub fn parse(s: &str) -> Option<TicketStatus> {
        Self::ALL.into_iter().find(|t| t.as_str() == s)
    }

    pub fn label(self) -> &'static str {
        match self {
            TicketStatus::Open => "Open",
            TicketStatus::Pending => "Pending",
            TicketStatus::Solved => "Solved",
        }
    }
}

#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, Default, PartialOrd, Ord, Serialize, Deserialize,
)]
#[serde(rename_all = "snake_case")]
pub enum Priority {
    Low,
    #[default]
    Normal,
    High,
    Urgent,
}

impl Priority {
    pub const ALL: [Priority; 4] = [
        Priority::Low,
        Priority::Normal,
        Priority::High,
        Priority::Urgent,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Priority::Low => "low",
            Priority::Normal => "normal",
            Priority::High => "high",
            Priority::Urgent => "urgent",
        }
    }

    pub fn parse(s: &str) -> Option<Priority> {
        Self::ALL.into_iter().find(|p| p.as_str() == s)
    }

    pub fn label(self) -> &'static str {
        match self {
            Priority::Low => "Low",
            Priority::Normal => "Normal",
            Priority::High => "High",
            Priority::Urgent => "Urgent",
        }
    }
}

/// One ticket as the list and its detail show it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Ticket {
    pub id: i64,
    pub subject: String,
    pub description: String,
    pub priority: Priority,
    pub status: TicketStatus,
    pub assignee_id: Option<i64>,
    pub assignee_name: Option<String>,
    pub conversation_id: Option<i64>,
    pub created_by: String,
    pub created_at: i64,
    pub updated_at: i64,
}

/// The longest subject and description a ticket takes.
pub const SUBJECT_CHARS: usize = 200;
pub const DESCRIPTION_CHARS: usize = 10_000;

/// The ticket form, as the browser posts it (every field a string; empty means none).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct TicketForm {
    pub subject: String,
    #[serde(default)]
    pub description: String,
    #[serde(default)]
    pub priority: String,
    #[serde(default)]
    pub status: String,
    /// An operator's id, or empty for nobody.
    #[serde(default)]
    pub assignee: String,
    /// A conversation's id, or empty.
    #[serde(default)]
    pub conversation: String,
}

/// A checked ticket form.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TicketFields {
    pub subject: String,
    pub description: String,
    pub priority: Priority,
    pub status: TicketStatus,
    pub assignee_id: Option<i64>,
    pub conversation_id: Option<i64>,
}

impl TicketForm {
    /// The fields, trimmed and checked; a clear message for the first thing wrong.
    pub fn check(&self) -> Result<TicketFields, String> {
        let subject = self.subject.trim();
        if subject.is_empty() {
            return Err("Give the ticket a subject.".into());
        }
        if subject.chars().count() > SUBJECT_CHARS {
            return Err(format!("Keep the subject to {SUBJECT_CHARS} characters."));
        }
        let description = self.description.trim();
        if description.chars().count() > DESCRIPTION_CHARS {
            return Err(format!(
                "Keep the description to {DESCRIPTION_CHARS} characters."
            ));
        }
        let priority = match self.priority.trim() {
            "" => Priority::default(),
            p => Priority::parse(p)
                .ok_or_else(|| format!("{p:?} is not a priority (low, normal, high, urgent)."))?,
        };
        let status = match self.status.trim() {
            "" => TicketStatus::default(),
            s => TicketStatus::parse(s)
                .ok_or_else(|| format!("{s:?} is not a status (open, pending, solved)."))?,
        };
        let id = |v: &str, what: &str| -> Result<Option<i64>, String> {
            match v.trim().trim_start_matches('#') {
                "" => Ok(None),
                n => n
                    .parse::<i64>()
                    .ok()
                    .filter(|n| *n > 0)
                    .map(Some)
                    .ok_or_else(|| format!("{v:?} is not {what}.")),
            }
        };
        Ok(TicketFields {
            subject: subject.to_string(),
            description: description.to_string(),
            priority,
            status,
            assignee_id: id(&self.assignee, "an operator")?,
            conversation_id: id(&self.conversation, "a conversation number")?,
        })
    }
}

/// What the customer reads in their conversation when a ticket made from it is solved.
pub fn solved_notice(id: i64, subject: &str) -> String {
    format!("Your request #{id} \u{201c}{subject}\u{201d} has been solved.")
}

/// Which tickets a list shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct TicketFilter {
    /// None: every status.
    pub status: Option<TicketStatus>,
    pub priority: Option<Priority>,
    /// Only the operator's own.
    pub mine: bool,
}

impl TicketFilter {
    pub fn admits(&self, t: &Ticket, me: i64) -> bool {
        self.status.is_none_or(|s| s == t.status)
            && self.priority.is_none_or(|p| p == t.priority)
            && (!self.mine || t.assignee_id == Some(me))
    }
}

/// Tickets per status (the tabs' counts).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct TicketCounts {
    pub open: i64,
    pub pending: i64,
    pub solved: i64,
}

impl TicketCounts {
    pub fn get(&self, status: Option<TicketStatus>) -> i64 {
        match status {
            None => self.open + self.pending + self.solved,
            Some(TicketStatus::Open) => self.open,
            Some(TicketStatus::Pending) => self.pending,
            Some(TicketStatus::Solved) => self.solved,
        }
    }

    pub fn add(&mut self, status: TicketStatus, n: i64) {
        match status {
            TicketStatus::Open => self.open += n,
            TicketStatus::Pending => self.pending += n,
            TicketStatus::Solved => self.solved += n,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn form(subject: &str) -> TicketForm {
        TicketForm {
            subject: subject.into(),
            ..Default::default()
        }
    }

    #[test]
    fn a_form_needs_a_subject_and_known_words() {
        let ok = form("  Refund for order 12 ").check().unwrap();
        assert_eq!(ok.subject, "Refund for order 12");
        assert_eq!(
            (ok.priority, ok.status),
            (Priority::Normal, TicketStatus::Open)
        );
        assert_eq!((ok.assignee_id, ok.conversation_id), (None, None));
        assert!(form("   ").check().unwrap_err().contains("subject"));
        assert!(form(&"x".repeat(SUBJECT_CHARS + 1)).check().is_err());
        let bad = TicketForm {
            priority: "asap".into(),
            ..form("A")
        };
        assert!(bad.check().unwrap_err().contains("asap"));
        let bad = TicketForm {
            status: "closed".into(),
            ..form("A")
        };
        assert!(bad.check().unwrap_err().contains("closed"));
        let linked = TicketForm {
            conversation: "#42".into(),
            assignee: "7".into(),
            priority: "urgent".into(),
            ..form("A")
        }
        .check()
        .unwrap();
        assert_eq!(linked.conversation_id, Some(42));
        assert_eq!(linked.assignee_id, Some(7));
        assert_eq!(linked.priority, Priority::Urgent);
        for wrong in ["-3", "0", "abc", "4.5"] {
            let bad = TicketForm {
                conversation: wrong.into(),
                ..form("A")
            };
            assert!(bad.check().is_err(), "{wrong}");
        }
    }

    #[test]
    fn filters_and_counts_agree_on_status() {
        let t = Ticket {
            id: 1,
            subject: "s".into(),
            description: String::new(),
            priority: Priority::High,
            status: TicketStatus::Pending,
            assignee_id: Some(3),
            assignee_name: None,
            conversation_id: None,
            created_by: "Ann".into(),
            created_at: 0,
            updated_at: 0,
        };
        assert!(TicketFilter::default().admits(&t, 9));
        let pending = TicketFilter {
            status: Some(TicketStatus::Pending),
            ..Default::default()
        };
        assert!(pending.admits(&t, 9));
        let mine = TicketFilter {
            mine: true,
            ..Default::default()
        };
        assert!(mine.admits(&t, 3) && !mine.admits(&t, 9));
        let urgent = TicketFilter {
            priority: Some(Priority::Urgent),
            ..Default::default()
        };
        assert!(!urgent.admits(&t, 3));
        let mut c = TicketCounts::default();
        c.add(TicketStatus::Pending, 2);
        c.add(TicketStatus::Solved, 1);
        assert_eq!((c.get(None), c.get(Some(TicketStatus::Pending))), (3, 2));
        for s in TicketStatus::ALL {
            assert_eq!(TicketStatus::parse(s.as_str()), Some(s));
        }
        for p in Priority::ALL {
            assert_eq!(Priority::parse(p.as_str()), Some(p));
        }
    }

    #[test]
    fn the_customer_reads_which_request_was_solved() {
        assert_eq!(
            solved_notice(12, "Broken kettle"),
            "Your request #12 \u{201c}Broken kettle\u{201d} has been solved."
        );
    }
}
