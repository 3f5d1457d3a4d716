//! The email outbox. A change that must be told (a claim, a cancellation) writes its rows in
//! its own transaction, some due at once, some later (a reminder); workers on any replica take the due rows, send them and mark them sent. A
//! taken row is leased, not locked: its `due_at` moves past the lease, so a worker that dies
//! mid-send only delays the email until the lease runs out.

use chrono::{DateTime, Duration, Utc};
use entity::{claim, codes::EmailKind, listing, outbox};
use sea_orm::{
    ActiveValue::Set,
    ColumnTrait, Condition, ConnectionTrait, DbErr, EntityTrait, FromQueryResult, QueryFilter,
    QueryOrder, QuerySelect,
    sea_query::{
        DynIden, Expr, ExprTrait, InsertStatement, LockBehavior, LockType, Order, Query,
        SimpleExpr, UnionType,
    },
};

/// The longest wait between two tries of an email.
const MAX_BACKOFF_SECS: i64 = 5 * 60;

/// How long an email that keeps failing (mail server down) is tried for. A claim's details a
/// day late no longer help anyone arrange a pickup, and both sides still find them on the site
/// (My claims, the business dashboard).
pub const GIVE_UP_AFTER_HOURS: i64 = 24;

/// What became of an email that could not be sent this time.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Retry {
    /// It will be tried again at this time.
    At(DateTime<Utc>),
    /// It has been failing for [`GIVE_UP_AFTER_HOURS`]: no more tries.
    GaveUp,
}

/// One email to write into the outbox: what it tells (about which claim), to whom when that
/// is not one of the claim's two sides, and from when it may be sent.
#[derive(Debug, Clone, Copy)]
pub struct Queued {
    pub kind: EmailKind,
    pub claim_id: i64,
    pub recipient_id: Option<i64>,
    pub due_at: DateTime<Utc>,
}

impl Queued {
    /// An email to one of the claim's two sides, to be sent at `due_at`.
    pub fn about(claim_id: i64, kind: EmailKind, due_at: DateTime<Utc>) -> Self {
        Queued {
            kind,
            claim_id,
            recipient_id: None,
            due_at,
        }
    }
}

/// Writes the emails. Call it inside the transaction of the change they tell about.
pub async fn enqueue(
    txn: &impl ConnectionTrait,
    emails: impl IntoIterator<Item = Queued>,
    now: DateTime<Utc>,
) -> Result<(), DbErr> {
    let rows: Vec<outbox::ActiveModel> = emails
        .into_iter()
        .map(|email| outbox::ActiveModel {
            kind: Set(email.kind),
            claim_id: Set(email.claim_id),
            recipient_id: Set(email.recipient_id),
            created_at: Set(now),
            due_at: Set(Some(email.due_at)),
            attempts: Set(0),
            ..Default::default()
        })
        .collect();
    if rows.is_empty() {
        return Ok(());
    }
    outbox::Entity::insert_many(rows).exec(txn).await?;
    Ok(())
}

/// When a claim's listing must be collected by: a time known as the statement is built, or
/// the deadline of the listing's row in the same statement (`available_until` of a WITH query
/// that returns it; PostgreSQL).
pub enum Deadline {
    At(DateTime<Utc>),
    Of(DynIden),
}

/// Everything a new claim sends: both confirmations now, a reminder to the client an hour
/// before the deadline (unless that hour has begun), and the question to the business after it.
/// One `INSERT … SELECT` about the claim whose id is `claim_id`: a value, or a column of `from`,
/// the data-modifying WITH query that inserts the claim in the same statement (PostgreSQL),
/// which may insert several claims: each is then read with its own listing's row.
pub fn claim_emails(
    claim_id: SimpleExpr,
    from: Option<DynIden>,
    deadline: Deadline,
    now: DateTime<Utc>,
) -> Result<InsertStatement, DbErr> {
    let before = Duration::minutes(REMIND_MINUTES_BEFORE);
    // Each email's due time and whether it is sent at all; and the listing's row, read from
    // besides `from` when the deadline is its column.
    let (until, remind_at, remind, listing) = match deadline {
        Deadline::At(until) => (
            Expr::val(until),
            Expr::val(until - before),
            Expr::val(until - before > now),
            None,
        ),
        Deadline::Of(listing) => {
            let until = Expr::col((listing.clone(), listing::Column::AvailableUntil));
            let remind_at = until.clone().sub(Expr::cust(format!(
                "INTERVAL '{} seconds'",
                before.num_seconds()
            )));
            (until, remind_at.clone(), remind_at.gt(now), Some(listing))
        }
    };
    let emails = [
        (EmailKind::ClaimToClient, Expr::val(now), None),
        (EmailKind::ClaimToBusiness, Expr::val(now), None),
        (EmailKind::ReminderToClient, remind_at, Some(remind)),
        (EmailKind::FollowUpToBusiness, until, None),
    ];
    let mut rows = emails.into_iter().map(|(kind, due_at, when)| {
        let mut row = Query::select();
        row.exprs([
            Expr::val(kind),
            claim_id.clone(),
            Expr::val(now),
            due_at,
            Expr::val(0),
        ]);
        for table in from.iter().chain(&listing) {
            row.from(table.clone());
        }
        // Claims made together: each with its own listing's deadline.
        if let (Some(claims), Some(listing)) = (&from, &listing) {
            row.and_where(
                Expr::col((listing.clone(), listing::Column::Id))
                    .equals((claims.clone(), claim::Column::ListingId)),
            );
        }
        if let Some(when) = when {
            row.and_where(when);
        }
        row
    });
    let mut select = rows.next().unwrap_or_default();
    for row in rows {
        select.union(UnionType::All, row);
    }
    Ok(Query::insert()
        .into_table(outbox::Entity)
        .columns([
            outbox::Column::Kind,
            outbox::Column::ClaimId,
            outbox::Column::CreatedAt,
            outbox::Column::DueAt,
            outbox::Column::Attempts,
        ])
        .select_from(select)
        .map_err(|e| DbErr::Custom(format!("the claim's emails: {e}")))?
        .take())
}

/// How long before a claim's deadline its client is reminded.
pub const REMIND_MINUTES_BEFORE: i64 = 60;

/// Takes up to `limit` due emails for one worker, leasing them until `now + lease` and counting
/// the attempt. On PostgreSQL the rows are picked `FOR UPDATE SKIP LOCKED`, so workers on
/// several replicas never take the same row; SQLite has a single writer, and the one statement
/// is atomic there too.
pub async fn take_due(
    db: &impl ConnectionTrait,
    now: DateTime<Utc>,
    lease: Duration,
    limit: u64,
) -> Result<Vec<outbox::Model>, DbErr> {
    let due = Query::select()
        .column(outbox::Column::Id)
        .from(outbox::Entity)
        .and_where(outbox::Column::DueAt.lte(now))
        .order_by(outbox::Column::DueAt, Order::Asc)
        .order_by(outbox::Column::Id, Order::Asc)
        .limit(limit)
        .lock_with_behavior(LockType::Update, LockBehavior::SkipLocked)
        .to_owned();
    let taken: Vec<i64> = outbox::Entity::update_many()
        .col_expr(outbox::Column::DueAt, Expr::value(now + lease))
        .col_expr(
            outbox::Column::Attempts,
            Expr::col(outbox::Column::Attempts).add(1),
        )
        .filter(outbox::Column::Id.in_subquery(due))
        .exec_with_returning(db)
        .await?
        .into_iter()
        .map(|row| row.id)
        .collect();
    if taken.is_empty() {
        return Ok(Vec::new());
    }
    // The rows as stored, read again by id: on SQLite the UPDATE's RETURNING was seen to hand
    // back NULL for a recipient the row holds, now and then, and the waiting list's "available
    // again" email then went to the claim's client (the journey "a client joins the waiting
    // list", about 1 run in 5 with two workers).
    outbox::Entity::find()
        .filter(outbox::Column::Id.is_in(taken))
        .order_by_asc(outbox::Column::Id)
        .all(db)
        .await
}

/// The email went out: it is never taken again.
pub async fn mark_sent(
    db: &impl ConnectionTrait,
    id: i64,
    now: DateTime<Utc>,
) -> Result<(), DbErr> {
    outbox::Entity::update_many()
        .col_expr(
            outbox::Column::DueAt,
            Expr::value(Option::<DateTime<Utc>>::None),
        )
        .col_expr(outbox::Column::SentAt, Expr::value(now))
        .col_expr(
            outbox::Column::LastError,
            Expr::value(Option::<String>::None),
        )
        .filter(outbox::Column::Id.eq(id))
        .exec(db)
        .await?;
    Ok(())
}

/// The emails were taken but not tried (their worker is stopping): due again at once, for
/// any worker, with the attempt not counted.
pub async fn release(
    db: &impl ConnectionTrait,
    ids: impl IntoIterator<Item = i64>,
    now: DateTime<Utc>,
) -> Result<(), DbErr> {
    outbox::Entity::update_many()
        .col_expr(outbox::Column::DueAt, Expr::value(now))
        .col_expr(
            outbox::Column::Attempts,
            Expr::col(outbox::Column::Attempts).sub(1),
        )
        .filter(outbox::Column::Id.is_in(ids))
        .filter(outbox::Column::SentAt.is_null())
        .exec(db)
        .await?;
    Ok(())
}

/// The try failed for a reason that may pass (the mail server is down): try again after a
/// wait that doubles with each attempt, up to five minutes, unless the email has been failing
/// for [`GIVE_UP_AFTER_HOURS`], when it is abandoned with the reason.
pub async fn retry_later(
    db: &impl ConnectionTrait,
    email: &outbox::Model,
    now: DateTime<Utc>,
    error: &str,
) -> Result<Retry, DbErr> {
    if now - email.created_at >= Duration::hours(GIVE_UP_AFTER_HOURS) {
        let error = format!("gave up after {GIVE_UP_AFTER_HOURS} hours: {error}");
        abandon(db, email.id, &error).await?;
        return Ok(Retry::GaveUp);
    }
    let at = now + backoff(email.attempts);
    outbox::Entity::update_many()
        .col_expr(outbox::Column::DueAt, Expr::value(at))
        .col_expr(outbox::Column::LastError, Expr::value(error))
        .filter(outbox::Column::Id.eq(email.id))
        .exec(db)
        .await?;
    Ok(Retry::At(at))
}

/// The email can never be sent (the server refused the address for good): stop trying and
/// keep the reason.
pub async fn abandon(db: &impl ConnectionTrait, id: i64, error: &str) -> Result<(), DbErr> {
    outbox::Entity::update_many()
        .col_expr(
            outbox::Column::DueAt,
            Expr::value(Option::<DateTime<Utc>>::None),
        )
        .col_expr(outbox::Column::LastError, Expr::value(error))
        .filter(outbox::Column::Id.eq(id))
        .exec(db)
        .await?;
    Ok(())
}

/// The emails that are due and not sent yet (due, leased or waiting for a retry; not those
/// scheduled for later, like reminders), for operators.
#[derive(Debug, Clone, Copy, PartialEq, Eq, FromQueryResult)]
pub struct Backlog {
    pub emails: i64,
    /// When the oldest of them was written.
    pub oldest: Option<DateTime<Utc>>,
}

pub async fn backlog(db: &impl ConnectionTrait, now: DateTime<Utc>) -> Result<Backlog, DbErr> {
    let backlog = outbox::Entity::find()
        .select_only()
        .column_as(outbox::Column::Id.count(), "emails")
        .column_as(outbox::Column::CreatedAt.min(), "oldest")
        .filter(outbox::Column::DueAt.is_not_null())
        .filter(
            Condition::any()
                .add(outbox::Column::Attempts.gt(0))
                .add(outbox::Column::DueAt.lte(now)),
        )
        .into_model::<Backlog>()
        .one(db)
        .await?;
    Ok(backlog.unwrap_or(Backlog {
        emails: 0,
        oldest: None,
    }))
}

/// 1 s after the first failed attempt, then 2 s, 4 s, ... and at most five minutes.
pub fn backoff(attempts: i32) -> Duration {
    let exponent = attempts.clamp(1, 16) - 1;
    Duration::seconds(Ord::min(1_i64 << exponent, MAX_BACKOFF_SECS))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_up_to_five_minutes() {
        let waits: Vec<i64> = (1..=11).map(|n| backoff(n).num_seconds()).collect();
        assert_eq!(waits, [1, 2, 4, 8, 16, 32, 64, 128, 256, 300, 300]);
        assert_eq!(backoff(1_000).num_seconds(), 300);
    }
}
