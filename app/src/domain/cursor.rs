//! Keyset pagination: a page is "the rows after this one" in a fixed order of (time, id), so a
//! page costs the same however deep it is and a row added while someone pages never shows
//! twice. The cursor on the wire is `{unix seconds}_{id}` (stored times are whole seconds).

use chrono::{DateTime, Utc};
use sea_orm::{ColumnTrait, Condition, Order};

use crate::dto::Page;

pub fn encode(key: DateTime<Utc>, id: i64) -> String {
    format!("{}_{id}", key.timestamp())
}

/// The position a cursor names; junk names none (the first page).
pub fn parse(text: &str) -> Option<(DateTime<Utc>, i64)> {
    let (seconds, id) = text.split_once('_')?;
    Some((
        DateTime::from_timestamp(seconds.parse().ok()?, 0)?,
        id.parse().ok()?,
    ))
}

/// The rows after the cursor `after` (all of them without one, or with junk) when ordered by
/// `key_column` then `id_column`, both in `order`.
pub fn after(
    after: Option<&str>,
    key_column: impl ColumnTrait,
    id_column: impl ColumnTrait,
    order: &Order,
) -> Condition {
    let Some((key, id)) = after.and_then(parse) else {
        return Condition::all();
    };
    let (key_beyond, id_beyond) = match order {
        Order::Desc => (key_column.lt(key), id_column.lt(id)),
        _ => (key_column.gt(key), id_column.gt(id)),
    };
    Condition::any()
        .add(key_beyond)
        .add(Condition::all().add(key_column.eq(key)).add(id_beyond))
}

/// A page of `size` from rows fetched with a limit of `size + 1`: the extra row, when there
/// is one, only says that a next page exists, whose cursor is the last row kept.
pub fn page<T>(
    mut rows: Vec<T>,
    size: u64,
    position: impl Fn(&T) -> (DateTime<Utc>, i64),
) -> Page<T> {
    let next = if rows.len() as u64 > size {
        rows.truncate(size as usize);
        rows.last().map(|last| {
            let (key, id) = position(last);
            encode(key, id)
        })
    } else {
        None
    };
    Page { items: rows, next }
}

impl<T> Page<T> {
    pub fn map<U>(self, f: impl FnMut(T) -> U) -> Page<U> {
        Page {
            items: self.items.into_iter().map(f).collect(),
            next: self.next,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cursors_round_trip_and_junk_is_ignored() {
        let t = DateTime::from_timestamp(1_795_000_000, 0).unwrap();
        assert_eq!(parse(&encode(t, 42)), Some((t, 42)));
        for junk in ["", "abc", "12_", "_5", "99999999999999999999_1"] {
            assert_eq!(parse(junk), None, "{junk}");
        }
    }

    #[test]
    fn a_page_says_whether_more_follow() {
        let t = DateTime::from_timestamp(1_795_000_000, 0).unwrap();
        let full = page(vec![3, 2, 1], 2, |&id| (t, id));
        assert_eq!(full.items, vec![3, 2]);
        assert_eq!(full.next, Some(encode(t, 2)));
        let last = page(vec![1], 2, |&id| (t, id));
        assert_eq!(last.next, None);
    }
}
