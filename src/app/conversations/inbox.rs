//! The list's state on the client and how a live event patches it. `placement` is the pure rule
//! (host-tested); `Inbox` is the reactive store the list renders with `<For>` keyed by id.

use super::api::{List, PAGE_SIZE, View};
use liaison_protocol::{ConversationSummary, InboxCounts};
use reactive_stores::Store;

/// What the list on screen holds: one page, the counts, and where it stands in the event
/// stream.
#[derive(Debug, Clone, Default, Store)]
pub struct Inbox {
    #[store(key: i64 = |row| row.id)]
    pub rows: Vec<ConversationSummary>,
    pub counts: InboxCounts,
    /// Patches from events at or below this id are already in the rows.
    pub cursor: i64,
    pub now: i64,
    pub older: Option<i64>,
    pub newer: bool,
    /// Conversations that arrived above this page (not the first): the "N new" pill.
    pub arrived: Vec<i64>,
    /// The operator looking (for "Mine").
    pub me: i64,
}

impl Inbox {
    pub fn from_list(list: List) -> Inbox {
        Inbox {
            rows: list.rows,
            counts: list.counts,
            cursor: list.cursor,
            now: list.now,
            older: list.older,
            newer: list.newer,
            arrived: Vec::new(),
            me: list.me,
        }
    }
}

/// Where an updated conversation goes in the list on screen.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Placement {
    /// It is on screen and still belongs: replace that row only.
    Replace,
    /// It belongs on this page, at this index (newest first).
    Insert(usize),
    /// It is on screen but no longer belongs to this tab or channel.
    Remove,
    /// It belongs above this page: count it on the pill.
    Pill,
    /// It is not this page's business.
    Ignore,
}

/// The rule for one `conversation_updated` event. Rows are ordered by id, newest first, and an
/// id never changes, so a conversation's place is decided by its id alone.
pub fn placement(
    view: &View,
    rows: &[ConversationSummary],
    has_older: bool,
    row: &ConversationSummary,
    me: i64,
) -> Placement {
    let present = rows.iter().any(|r| r.id == row.id);
    let belongs = view.filter.admits(row, me);
    match (present, belongs) {
        (true, true) => Placement::Replace,
        (true, false) => Placement::Remove,
        (false, false) => Placement::Ignore,
        // Search results are what matched when the operator searched.
        (false, true) if view.search.is_some() => Placement::Ignore,
        (false, true) => {
            let above_page = rows.first().is_none_or(|first| row.id > first.id);
            if above_page && !view.is_first_page() {
                return Placement::Pill;
            }
            let index = rows.iter().position(|r| r.id < row.id);
            match index {
                Some(i) => Placement::Insert(i),
                // Older than everything here: it belongs here only if this is the last page.
                None if !has_older => Placement::Insert(rows.len()),
                None => Placement::Ignore,
            }
        }
    }
}

/// Inserts and keeps the page at its size; returns the new "older" cursor when a row fell off.
pub fn insert_row(
    rows: &mut Vec<ConversationSummary>,
    index: usize,
    row: ConversationSummary,
) -> Option<i64> {
    rows.insert(index.min(rows.len()), row);
    if rows.len() as i64 > PAGE_SIZE {
        rows.truncate(PAGE_SIZE as usize);
        return rows.last().map(|r| r.id);
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;
    use liaison_protocol::{Channel, ConversationStatus, Filter, Tab};

    fn row(id: i64, status: ConversationStatus) -> ConversationSummary {
        ConversationSummary {
            id,
            visitor_id: id,
            visitor: format!("Visitor #{id}"),
            visitor_conversations: 1,
            channel: Channel::Widget,
            status,
            message_count: 1,
            last_message: None,
            assignee_id: None,
            assignee_name: None,
            rating: None,
            booked: false,
            created_at: 0,
            last_activity_at: 0,
            resolved_at: None,
            delegation: None,
        }
    }

    fn view(tab: Tab, before: Option<i64>) -> View {
        View {
            filter: Filter {
                tab,
                ..Filter::default()
            },
            search: None,
            before,
            after: None,
        }
    }

    use ConversationStatus::*;

    #[test]
    fn a_row_on_screen_is_replaced_or_leaves_its_tab() {
        let rows = vec![row(9, NeedsAgent), row(5, NeedsAgent)];
        let v = view(Tab::NeedsAgent, None);
        assert_eq!(
            placement(&v, &rows, true, &row(5, NeedsAgent), 1),
            Placement::Replace
        );
        assert_eq!(
            placement(&v, &rows, true, &row(5, Open), 1),
            Placement::Remove
        );
        assert_eq!(
            placement(&v, &rows, true, &row(4, Open), 1),
            Placement::Ignore
        );
    }

    #[test]
    fn a_list_of_mine_follows_the_lock() {
        let mut v = view(Tab::Open, None);
        v.filter.holder = Some(liaison_protocol::Holder::Mine);
        let mut held = row(5, Open);
        held.assignee_id = Some(1);
        assert_eq!(placement(&v, &[], false, &held, 1), Placement::Insert(0));
        assert_eq!(placement(&v, &[], false, &held, 2), Placement::Ignore);
        held.assignee_id = None;
        assert_eq!(
            placement(&v, &[row(5, Open)], false, &held, 1),
            Placement::Remove
        );
    }

    #[test]
    fn new_rows_go_on_top_of_the_first_page_and_on_the_pill_elsewhere() {
        let rows = vec![row(9, Open), row(5, Open)];
        assert_eq!(
            placement(&view(Tab::All, None), &rows, true, &row(12, Open), 1),
            Placement::Insert(0)
        );
        assert_eq!(
            placement(&view(Tab::All, Some(10)), &rows, true, &row(12, Open), 1),
            Placement::Pill
        );
        // A conversation that moves into this tab lands in its place by id.
        assert_eq!(
            placement(&view(Tab::All, None), &rows, true, &row(7, Open), 1),
            Placement::Insert(1)
        );
        // Older than the page: another page's business, unless this is the last page.
        assert_eq!(
            placement(&view(Tab::All, None), &rows, true, &row(2, Open), 1),
            Placement::Ignore
        );
        assert_eq!(
            placement(&view(Tab::All, None), &rows, false, &row(2, Open), 1),
            Placement::Insert(2)
        );
        // An empty first page takes anything that belongs.
        assert_eq!(
            placement(&view(Tab::Resolved, None), &[], false, &row(2, Resolved), 1),
            Placement::Insert(0)
        );
    }

    #[test]
    fn search_results_are_not_patched_with_new_rows() {
        let mut v = view(Tab::All, None);
        v.search = Some("refund".into());
        assert_eq!(
            placement(&v, &[], false, &row(3, Open), 1),
            Placement::Ignore
        );
    }

    #[test]
    fn a_full_page_drops_its_last_row() {
        let mut rows: Vec<_> = (1..=PAGE_SIZE).rev().map(|i| row(i, Open)).collect();
        assert_eq!(insert_row(&mut rows, 0, row(PAGE_SIZE + 1, Open)), Some(2));
        assert_eq!(rows.len() as i64, PAGE_SIZE);
        assert_eq!(rows[0].id, PAGE_SIZE + 1);
    }
}
