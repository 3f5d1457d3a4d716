//! The heart of FoodBridge: at most one live claim per listing, whatever the load and however
//! many replicas, and a claim's whole life after it (given back, collected, not collected).
//!
//! Claims are never changed or deleted. A listing's `round` is the round a claim made now
//! takes; `(listing_id, round)` is unique in `claims`, and only a reopen (a claim given back,
//! or not collected, before the deadline) moves the round on, in the same transaction that
//! records the claim's outcome. So a claim without an outcome is always its listing's current
//! one.

use std::{
    collections::{HashMap, VecDeque},
    mem::take,
    sync::{Arc, Mutex, MutexGuard, PoisonError},
};

use chrono::{DateTime, Days, Duration, Utc};
use entity::codes::{EmailKind, ListingStatus, Outcome};
use entity::{claim, claim_outcome, image, listing, outbox as email, user, waitlist};
use sea_orm::{
    ActiveModelTrait,
    ActiveValue::Set,
    ColumnTrait, ConnectionTrait, DatabaseConnection, DbBackend, DbErr, EntityTrait,
    FromQueryResult, IdenStatic, Iterable, JoinType, Order, PaginatorTrait, QueryFilter,
    QueryOrder, QuerySelect, QueryTrait, RelationTrait, Select, SqlErr, TransactionSession,
    TransactionTrait, UpdateMany,
    sea_query::{
        Alias, CommonTableExpression, DynIden, Expr, ExprTrait, InsertStatement, IntoIden,
        LockBehavior, LockType, Query, SelectStatement, SimpleExpr, SubQueryStatement, UnionType,
        UpdateStatement, WithClause,
    },
};
use tokio::sync::{Semaphore, oneshot};

use crate::{
    domain::{
        accounts::Actor,
        cursor,
        error::{DomainError, DomainResult},
        events::{DomainEvent, EventSink},
        outbox::{self, Deadline, Queued},
        views::{self, ImageSizes, image_sizes},
    },
    dto::{
        ClaimView, Claimant, HistoryStep, LATE_CANCEL_MINUTES, Language, ListingState, OutcomeView,
        Page, Reliability, Role, WaitStatus, pickup_starts, site_offset,
    },
    error::Refusal,
    limits::MAX_DAYS_AHEAD,
};

/// How many claims a client may hold at once and make in one of Cameroon's calendar days.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FairShare {
    pub live: u32,
    pub per_day: u32,
}

impl Default for FairShare {
    fn default() -> Self {
        FairShare {
            live: 3,
            per_day: 5,
        }
    }
}

/// A claim asked for: who wants which listing.
#[derive(Debug, Clone, Copy)]
struct Wanted {
    client: i64,
    listing: i64,
}

/// Where a replica's claims are made ([`Desk::claim`]). On PostgreSQL, those that wait at the
/// same moment are made together, up to `MOST_TOGETHER` in one statement
/// ([`claim_together`]), instead of each taking a connection, a statement and a commit of its
/// own. Together they cost the database a fraction of what they cost apart (pgbench, the bare
/// update and insert on a 2-core machine, 64 connections: one statement claiming 8 listings
/// ran 1,760-1,870 times a second, 14,000-15,000 claims, against 3,950-4,630 statements
/// claiming one).
///
/// Nothing waits to fill a statement: a claim that finds a lane free is made at once, alone if
/// it is alone; claims that come while `LANES` statements are under way wait for the next,
/// and the next takes all of them it can. A statement's claims are different clients' (each
/// client's claims are counted in turn), on different listings, made at the same second with
/// the same fair share; the others wait for a later statement. A claim the statement did not
/// make is made on its own, step by step (see [`Desk::claim`]).
#[derive(Clone)]
pub struct Desk(Arc<DeskState>);

/// How many statements of claims a replica runs at once. Two, each up to 32 claims, gave the
/// best rate and tail of those tried (claims step of `bench/speed.sh`, 64 connections, 2 cores:
/// 2 × 32 p99 24-33 ms at 3,740-4,470 claims/s; 4 × 16 29-40 ms at 3,330-3,970/s; 3 × 24,
/// 8 × 8, 1 × 64 and 2 × 64 between or below): fewer statements under way at once means fewer
/// database processes taking turns on the cores, and bigger statements cost less a claim.
const LANES: usize = 2;
/// The most claims one statement makes.
const MOST_TOGETHER: usize = 32;

struct DeskState {
    db: DatabaseConnection,
    waiting: Mutex<VecDeque<Waiting>>,
    lanes: Arc<Semaphore>,
}

/// A claim waiting at the desk, and where its answer goes: the claim made, or `None` to make
/// it on its own.
struct Waiting {
    wanted: Wanted,
    now: DateTime<Utc>,
    share: FairShare,
    answer: oneshot::Sender<Option<Claimed>>,
}

impl Desk {
    pub fn new(db: DatabaseConnection) -> Self {
        Desk(Arc::new(DeskState {
            db,
            waiting: Mutex::default(),
            lanes: Arc::new(Semaphore::new(LANES)),
        }))
    }

    /// Claims a listing for `actor` (a client). At most one claim a listing: the listing goes
    /// `available -> claimed` only if it still is available and not expired (a conditional
    /// update that returns the row it changed), and the claim row is written in the listing's
    /// round (unique with the listing: the second guard). The client's fair share is counted
    /// with their claims serialised by their turn (see [`take_turn`]), and the claim's emails
    /// are written with it (sent later by the outbox workers), all or nothing.
    ///
    /// On PostgreSQL the claim is first tried in one statement with the claims that come at
    /// the same time (one round trip, no transaction to open and commit; [`claim_together`]);
    /// when that does not make it (the listing was taken, the fair share is used up, another
    /// claim of the client's came between, or the statement failed), the claim is made on its
    /// own in a transaction, step by step, which also says why it cannot be.
    /// Whoever loses a race gets `Unavailable { state: Claimed }`, never a second claim; the
    /// client who already holds the claim gets that claim again.
    pub async fn claim(
        &self,
        events: &dyn EventSink,
        actor: Actor,
        listing_id: i64,
        now: DateTime<Utc>,
        share: FairShare,
    ) -> DomainResult<ClaimView> {
        actor.require(Role::Client)?;
        let db = &self.0.db;
        let wanted = Wanted {
            client: actor.user_id,
            listing: listing_id,
        };
        let together = if db.get_database_backend() == DbBackend::Postgres {
            self.together(wanted, now, share).await
        } else {
            None
        };
        let claimed = match together {
            Some(claimed) => claimed,
            None => match claim_in_turn(db, actor, listing_id, now, share).await? {
                Taken::New(claimed) => claimed,
                Taken::Held(claim) => return Ok(claim),
            },
        };
        events
            .publish(DomainEvent::ListingClaimed {
                listing_id,
                business_id: claimed.listing.business_id,
                client_id: actor.user_id,
            })
            .await;
        Ok(claimed.view(now))
    }

    /// Waits for the claim to be made with others: the claim, or `None` if it was not.
    async fn together(
        &self,
        wanted: Wanted,
        now: DateTime<Utc>,
        share: FairShare,
    ) -> Option<Claimed> {
        let (answer, answered) = oneshot::channel();
        self.waiting().push_back(Waiting {
            wanted,
            now,
            share,
            answer,
        });
        self.serve();
        answered.await.ok().flatten()
    }

    fn waiting(&self) -> MutexGuard<'_, VecDeque<Waiting>> {
        self.0
            .waiting
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
    }

    /// If a lane is free, makes the claims waiting in it, statement after statement until none
    /// waits, in a task of their own: a claim whose request is given up is still made and
    /// answered with the others.
    fn serve(&self) {
        let Ok(lane) = self.0.lanes.clone().try_acquire_owned() else {
            return;
        };
        let desk = self.clone();
        tokio::spawn(async move {
            while let Some(together) = desk.next_together() {
                desk.make(together).await;
            }
            drop(lane);
            // A claim that came after the last look, while the lane was still taken, found no
            // free lane: serve it now.
            if !desk.waiting().is_empty() {
                desk.serve();
            }
        });
    }

    /// The claims the next statement makes: the first waiting, and those after it that can
    /// go with it.
    fn next_together(&self) -> Option<Vec<Waiting>> {
        let mut waiting = self.waiting();
        let first = waiting.pop_front()?;
        let mut together = vec![first];
        let mut later = VecDeque::new();
        for next in waiting.drain(..) {
            let fits = together.len() < MOST_TOGETHER
                && next.now == together[0].now
                && next.share == together[0].share
                && together.iter().all(|w| {
                    w.wanted.client != next.wanted.client && w.wanted.listing != next.wanted.listing
                });
            if fits {
                together.push(next);
            } else {
                later.push_back(next);
            }
        }
        *waiting = later;
        Some(together)
    }

    async fn make(&self, together: Vec<Waiting>) {
        let wanted: Vec<Wanted> = together.iter().map(|w| w.wanted).collect();
        metrics::histogram!("foodbridge_claims_per_statement").record(wanted.len() as f64);
        let mut made = claim_together(&self.0.db, &wanted, together[0].now, together[0].share)
            .await
            .unwrap_or_else(|e| {
                // Each is made on its own instead, and says what went wrong if it goes wrong
                // again.
                tracing::warn!(error = %e, claims = wanted.len(), "claims made together failed");
                Vec::new()
            });
        for waiting in together {
            let claimed = made
                .iter()
                .position(|c| c.claim.listing_id == waiting.wanted.listing)
                .map(|at| made.swap_remove(at));
            // Its request may have been given up.
            let _ = waiting.answer.send(claimed);
        }
    }
}

/// The claims in one statement (PostgreSQL): each client's turn, taken only if their row is
/// still the version this statement's snapshot sees (no claim of theirs came between, which its
/// counts of their claims would miss); each listing's update, only within its client's fair
/// share; the claim rows in their listings' rounds, their emails, and the rows of their views.
/// For each claim, nothing is written but the turn unless all of it is; the claims made are
/// returned.
///
/// The statement never waits for another's lock: a client's or a listing's row locked by a
/// claim under way is skipped (`SKIP LOCKED`; the claim is then made on its own and waits
/// there), so statements that share rows cannot deadlock.
async fn claim_together(
    db: &impl ConnectionTrait,
    wanted: &[Wanted],
    now: DateTime<Utc>,
    share: FairShare,
) -> Result<Vec<Claimed>, DbErr> {
    let asked: DynIden = Alias::new("wanted").into_iden();
    let turn: DynIden = Alias::new("turn").into_iden();
    let taken: DynIden = Alias::new("taken").into_iden();
    let claimed: DynIden = Alias::new("claimed").into_iden();
    let seen: DynIden = Alias::new("seen").into_iden();
    let client = || Expr::col((asked.clone(), claim::Column::ClientId));
    let listing = || Expr::col((asked.clone(), claim::Column::ListingId));

    // (client_id, listing_id) rows, one a claim.
    let mut rows = wanted.iter().map(|w| {
        Query::select()
            .expr_as(Expr::val(w.client), claim::Column::ClientId)
            .expr_as(Expr::val(w.listing), claim::Column::ListingId)
            .take()
    });
    let mut asking = rows.next().unwrap_or_default();
    for row in rows {
        asking.union(UnionType::All, row);
    }

    // `xmin`: the transaction that wrote the version of the row a statement sees.
    let version = |table: &DynIden| Expr::col((table.clone(), Alias::new("xmin")));
    let users: DynIden = user::Entity.into_iden();
    let seen_version = Query::select()
        .expr(version(&seen))
        .from_as(user::Entity, seen.clone())
        .and_where(
            Expr::col((seen.clone(), user::Column::Id)).equals((users.clone(), user::Column::Id)),
        )
        .take();
    let mut turn_taken = take_turn(Expr::col((users.clone(), user::Column::Id)).in_subquery(
        free_rows(
            user::Column::Id,
            Query::select().expr(client()).from(asked.clone()).take(),
        ),
    ));
    turn_taken
        .and_where(version(&users).eq(SimpleExpr::SubQuery(None, Box::new(seen_version.into()))))
        .returning_col(user::Column::Id);

    let mut update = available_to_claim(
        Expr::col((listing::Entity, listing::Column::Id))
            .equals((asked.clone(), claim::Column::ListingId))
            .and(
                Expr::col((listing::Entity, listing::Column::Id)).in_subquery(free_rows(
                    listing::Column::Id,
                    Query::select().expr(listing()).from(asked.clone()).take(),
                )),
            ),
        now,
    )
    .filter(
        client().in_subquery(
            Query::select()
                .column(user::Column::Id)
                .from(turn.clone())
                .take(),
        ),
    )
    .filter(within_share(client(), share, now))
    .into_query();
    update.from(asked.clone()).returning(
        Query::returning().columns(listing::Column::iter().map(|c| (listing::Entity, c))),
    );
    let insert = claim_insert(
        Query::select()
            .column((taken.clone(), listing::Column::Id))
            .expr(client())
            .expr(Expr::val(now))
            .column((taken.clone(), listing::Column::Round))
            .from(taken.clone())
            .join(
                JoinType::InnerJoin,
                asked.clone(),
                listing().equals((taken.clone(), listing::Column::Id)),
            )
            .take(),
    )?;
    let emails = outbox::claim_emails(
        Expr::col((claimed.clone(), claim::Column::Id)),
        Some(claimed.clone()),
        Deadline::Of(taken.clone()),
        now,
    )?;
    let query = claimed_select(claimed.clone(), taken.clone(), Expr::value(true)).with(take(
        WithClause::new()
            .cte(cte(asked, asking))
            .cte(cte(turn, turn_taken))
            .cte(cte(taken, update))
            .cte(cte(claimed, insert))
            .cte(cte(Alias::new("emails").into_iden(), emails)),
    ));
    Claimed::find_by_statement(DbBackend::Postgres.build(&query))
        .all(db)
        .await
}

/// The ids (the column `id`) of the rows whose ids `ids` selects, locked for this statement's
/// update; rows another transaction has locked are left out (`SKIP LOCKED`): never waited for.
fn free_rows(id: impl ColumnTrait, ids: SelectStatement) -> SelectStatement {
    Query::select()
        .column(id)
        .from(id.entity_name())
        .and_where(Expr::col(id).in_subquery(ids))
        .lock_with_behavior(LockType::NoKeyUpdate, LockBehavior::SkipLocked)
        .take()
}

/// What a claim made step by step came to: a new claim, or the one the client already holds.
enum Taken {
    New(Claimed),
    Held(ClaimView),
}

/// The claim in a transaction, step by step: the client's turn first (their other claims
/// wait for this one), then the listing's update, then the claim row within the fair share,
/// counted after the turn was taken. Says why when the listing cannot be claimed.
async fn claim_in_turn(
    db: &(impl ConnectionTrait + TransactionTrait),
    actor: Actor,
    listing_id: i64,
    now: DateTime<Utc>,
    share: FairShare,
) -> DomainResult<Taken> {
    let txn = db.begin().await?;
    txn.execute(&take_turn(user::Column::Id.eq(actor.user_id)))
        .await?;
    let claimed = updated_listing(
        &txn,
        available_to_claim(listing::Column::Id.eq(listing_id), now),
        listing_id,
    )
    .await?;
    let Some(listing) = claimed else {
        txn.rollback().await?;
        return already_claimed(db, actor, listing_id, now)
            .await
            .map(Taken::Held);
    };
    // The claim row is written only within the fair share: one statement for the counts and
    // the insert.
    let insert = claim_insert(
        Query::select()
            .exprs([
                Expr::val(listing_id),
                Expr::val(actor.user_id),
                Expr::val(now),
                Expr::val(listing.round),
            ])
            .and_where(within_share(Expr::val(actor.user_id), share, now))
            .take(),
    )
    .map_err(|e| DomainError::internal("claim insert", e))?;
    let claimed = match insert_with_emails(&txn, insert, &listing, now).await {
        Ok(Some(claimed)) => claimed,
        Ok(None) => {
            let refusal = refusal(&txn, actor, share, now).await?;
            txn.rollback().await?;
            return Err(DomainError::Refused(refusal));
        }
        Err(e) if is_unique_violation(&e) => {
            txn.rollback().await?;
            return Err(DomainError::Unavailable(ListingState::Claimed));
        }
        Err(e) => return Err(e.into()),
    };
    txn.commit().await?;
    Ok(Taken::New(claimed))
}

/// `INSERT INTO claims (listing_id, client_id, claimed_at, round) <rows> RETURNING *`.
fn claim_insert(rows: SelectStatement) -> Result<InsertStatement, DbErr> {
    Ok(Query::insert()
        .into_table(claim::Entity)
        .columns([
            claim::Column::ListingId,
            claim::Column::ClientId,
            claim::Column::ClaimedAt,
            claim::Column::Round,
        ])
        .select_from(rows)
        .map_err(|e| DbErr::Custom(format!("claim insert: {e}")))?
        .returning_all()
        .take())
}

/// `available -> claimed` for the listing `which` selects, if it still is available and not
/// expired.
fn available_to_claim(which: SimpleExpr, now: DateTime<Utc>) -> UpdateMany<listing::Entity> {
    listing::Entity::update_many()
        .col_expr(listing::Column::Status, Expr::value(ListingStatus::Claimed))
        .col_expr(listing::Column::UpdatedAt, Expr::value(now))
        .filter(which)
        .filter(listing::Column::Status.eq(ListingStatus::Available))
        .filter(listing::Column::AvailableUntil.gt(now))
}

/// Takes the turn to claim of the clients `which` selects: their rows, updated to what they
/// are (`SET id = id`: a new version of each, locked until the claim's commit). A client's
/// claims, on any replica, are then counted one after the other, and a claim counted in one
/// statement, whose snapshot was taken before it had the lock, can tell from the row's version
/// whether another came between.
fn take_turn(which: SimpleExpr) -> UpdateStatement {
    user::Entity::update_many()
        .col_expr(user::Column::Id, Expr::col(user::Column::Id))
        .filter(which)
        .into_query()
}

/// Whether the client (an id, or a column) may claim one more: under both limits of the fair
/// share.
fn within_share(client: SimpleExpr, share: FairShare, now: DateTime<Utc>) -> SimpleExpr {
    count_of(made_today(client.clone(), share, now))
        .lt(i64::from(share.per_day))
        .and(
            count_of(
                live_claims(client, share, now)
                    .expr(Expr::val(1))
                    .into_query(),
            )
            .lt(i64::from(share.live)),
        )
}

/// A WITH query named `name`.
fn cte(name: DynIden, query: impl Into<SubQueryStatement>) -> CommonTableExpression {
    take(CommonTableExpression::new().query(query).table_name(name))
}

/// A claim just written, with what its view needs: its listing, the listing's business and the
/// size of its thumbnail, if it has one.
#[derive(FromQueryResult)]
struct Claimed {
    #[sea_orm(nested(prefix = "claim_"))]
    claim: claim::Model,
    #[sea_orm(nested(prefix = "listing_"))]
    listing: listing::Model,
    #[sea_orm(nested(prefix = "business_"))]
    business: user::Model,
    thumb_width: Option<i32>,
    thumb_height: Option<i32>,
}

impl Claimed {
    fn view(self, now: DateTime<Utc>) -> ClaimView {
        let sizes = ImageSizes::from_rows(
            self.listing
                .thumb_key
                .clone()
                .zip(self.thumb_width.zip(self.thumb_height))
                .map(|(key, (width, height))| (key, width, height)),
        );
        viewed(self.claim, self.listing, self.business, &sizes, None, now).claim
    }
}

/// Reads [`Claimed`] from the claim rows of `claims` (the table, or the claim's insert in a
/// WITH query) that `filter` keeps, with their listing's row from `listings` (the table, or
/// the listing's update in a WITH query).
fn claimed_select(claims: DynIden, listings: DynIden, filter: SimpleExpr) -> SelectStatement {
    let business: DynIden = Alias::new("business").into_iden();
    let mut select = Query::select();
    columns_as::<claim::Entity>(&mut select, &claims, "claim_");
    columns_as::<listing::Entity>(&mut select, &listings, "listing_");
    columns_as::<user::Entity>(&mut select, &business, "business_");
    select
        .expr_as(
            Expr::col((image::Entity, image::Column::Width)),
            "thumb_width",
        )
        .expr_as(
            Expr::col((image::Entity, image::Column::Height)),
            "thumb_height",
        )
        .from(claims.clone())
        .join(
            JoinType::InnerJoin,
            listings.clone(),
            Expr::col((listings.clone(), listing::Column::Id))
                .equals((claims, claim::Column::ListingId)),
        )
        .join_as(
            JoinType::InnerJoin,
            user::Entity,
            business.clone(),
            Expr::col((business, user::Column::Id))
                .equals((listings.clone(), listing::Column::BusinessId)),
        )
        .join(
            JoinType::LeftJoin,
            image::Entity,
            Expr::col((image::Entity, image::Column::Key))
                .equals((listings, listing::Column::ThumbKey)),
        )
        .and_where(filter)
        .take()
}

/// Selects every column of `E` from `from`, each named with `prefix`.
fn columns_as<E: EntityTrait>(select: &mut SelectStatement, from: &DynIden, prefix: &str) {
    for column in E::Column::iter() {
        select.expr_as(
            Expr::col((from.clone(), column)),
            Alias::new(format!("{prefix}{}", column.as_str())),
        );
    }
}

/// Runs the claim's `INSERT … RETURNING`, writes the claim's emails and reads the claim with
/// its listing, business and thumbnail ([`Claimed`]). On PostgreSQL that is one statement (the
/// insert is a data-modifying WITH query the emails' insert and the read take the new row
/// from); SQLite allows no insert in a WITH, so there they are three.
async fn insert_with_emails(
    txn: &impl ConnectionTrait,
    insert: InsertStatement,
    listing: &listing::Model,
    now: DateTime<Utc>,
) -> Result<Option<Claimed>, DbErr> {
    let backend = txn.get_database_backend();
    let deadline = Deadline::At(listing.available_until);
    if backend == DbBackend::Postgres {
        let claimed: DynIden = Alias::new("claimed").into_iden();
        let emails = outbox::claim_emails(
            Expr::col((claimed.clone(), claim::Column::Id)),
            Some(claimed.clone()),
            deadline,
            now,
        )?;
        let query = claimed_select(
            claimed.clone(),
            listing::Entity.into_iden(),
            Expr::value(true),
        )
        .with(take(
            WithClause::new()
                .cte(cte(claimed, insert))
                .cte(cte(Alias::new("emails").into_iden(), emails)),
        ));
        return Claimed::find_by_statement(backend.build(&query))
            .one(txn)
            .await;
    }
    let Some(claim) = claim::Entity::find()
        .from_raw_sql(backend.build(&insert))
        .one(txn)
        .await?
    else {
        return Ok(None);
    };
    let emails = outbox::claim_emails(Expr::val(claim.id), None, deadline, now)?;
    txn.execute(&emails).await?;
    let read = claimed_select(
        claim::Entity.into_iden(),
        listing::Entity.into_iden(),
        Expr::col((claim::Entity, claim::Column::Id)).eq(claim.id),
    );
    Claimed::find_by_statement(backend.build(&read))
        .one(txn)
        .await
}

fn is_unique_violation(e: &DbErr) -> bool {
    matches!(e.sql_err(), Some(SqlErr::UniqueConstraintViolation(_)))
}

/// The listing could not be claimed: a repeated claim by the client who holds it is answered
/// with their claim; anyone else learns where the listing stands.
async fn already_claimed(
    db: &impl ConnectionTrait,
    actor: Actor,
    listing_id: i64,
    now: DateTime<Utc>,
) -> DomainResult<ClaimView> {
    let row = listing::Entity::find_by_id(listing_id)
        .one(db)
        .await?
        .ok_or(DomainError::NotFound)?;
    if let Some(claim) = held_by(db, actor, &row, now).await? {
        return Ok(claim);
    }
    Err(match row.status.state(row.available_until <= now) {
        // Available again can only mean the update raced something odd: call it taken.
        ListingState::Available => DomainError::Unavailable(ListingState::Claimed),
        state => DomainError::Unavailable(state),
    })
}

/// The claim a client holds on a listing, if they hold it: what its page shows them.
pub async fn held(
    db: &impl ConnectionTrait,
    actor: Actor,
    listing_id: i64,
    now: DateTime<Utc>,
) -> DomainResult<Option<ClaimView>> {
    actor.require(Role::Client)?;
    let row = listing::Entity::find_by_id(listing_id)
        .one(db)
        .await?
        .ok_or(DomainError::NotFound)?;
    held_by(db, actor, &row, now).await
}

async fn held_by(
    db: &impl ConnectionTrait,
    actor: Actor,
    row: &listing::Model,
    now: DateTime<Utc>,
) -> DomainResult<Option<ClaimView>> {
    match holder(db, row).await? {
        Some(claim) if claim.client_id == actor.user_id => {
            Ok(Some(view_of(db, claim, now).await?.claim))
        }
        _ => Ok(None),
    }
}

/// The listing `id` as a conditional `update` of it left it, if it changed it. PostgreSQL
/// answers in the same statement (`RETURNING`). SQLite's `RETURNING` was seen to hand back NULL
/// for a column that holds a value, now and then (`round` here, a claim then failed with
/// "Missing value for column 'round'"; `recipient_id` in the outbox): both columns were added
/// to their tables by `ALTER TABLE`. There the row is read again, in the same transaction.
async fn updated_listing(
    txn: &impl ConnectionTrait,
    update: UpdateMany<listing::Entity>,
    id: i64,
) -> Result<Option<listing::Model>, DbErr> {
    if txn.get_database_backend() != DbBackend::Sqlite {
        return Ok(update.exec_with_returning(txn).await?.pop());
    }
    if update.exec(txn).await?.rows_affected != 1 {
        return Ok(None);
    }
    listing::Entity::find_by_id(id).one(txn).await
}

/// The claim of the listing's current round, if it is claimed.
async fn holder(
    db: &impl ConnectionTrait,
    row: &listing::Model,
) -> Result<Option<claim::Model>, DbErr> {
    if row.status != ListingStatus::Claimed {
        return Ok(None);
    }
    claim::Entity::find()
        .filter(claim::Column::ListingId.eq(row.id))
        .filter(claim::Column::Round.eq(row.round))
        .one(db)
        .await
}

/// Why a claim over the fair share was refused (counted again inside its transaction).
async fn refusal(
    txn: &impl ConnectionTrait,
    actor: Actor,
    share: FairShare,
    now: DateTime<Utc>,
) -> DomainResult<Refusal> {
    let counts = Query::select()
        .expr_as(
            count_of(made_today(Expr::val(actor.user_id), share, now)),
            "made_today",
        )
        .take();
    let made_today: i64 = txn
        .query_one(&counts)
        .await?
        .ok_or_else(|| DomainError::internal("no count", actor.user_id))?
        .try_get("", "made_today")?;
    if made_today >= i64::from(share.per_day) {
        return Ok(Refusal::DailyLimit {
            max: share.per_day,
            until: day_start(now) + Days::new(1),
        });
    }
    let next_free = live_claims(Expr::val(actor.user_id), share, now)
        .column(listing::Column::AvailableUntil)
        .order_by_asc(listing::Column::AvailableUntil)
        .into_tuple()
        .one(txn)
        .await?;
    Ok(Refusal::LiveLimit {
        max: share.live,
        next_free,
    })
}

/// The client's claims made today in Cameroon, as many as the fair share counts.
fn made_today(client: SimpleExpr, share: FairShare, now: DateTime<Utc>) -> SelectStatement {
    claim::Entity::find()
        .select_only()
        .expr(Expr::val(1))
        .filter(Expr::col((claim::Entity, claim::Column::ClientId)).eq(client))
        .filter(claim::Column::ClaimedAt.gte(day_start(now)))
        .limit(u64::from(share.per_day))
        .into_query()
}

/// The client's claims that are live at `now` (no outcome yet, the listing's deadline ahead),
/// as many as the fair share counts.
///
/// Only the last `MAX_DAYS_AHEAD` days of claims are read: a deadline is set at most that far
/// ahead of the last change to an available listing, and a claim comes after that change, so
/// an older claim's deadline has passed. The index on (client, claimed at) then reads a week of
/// a client's claims, not their whole history.
fn live_claims(client: SimpleExpr, share: FairShare, now: DateTime<Utc>) -> Select<claim::Entity> {
    claim::Entity::find()
        .select_only()
        .join(JoinType::InnerJoin, claim::Relation::Listing.def())
        .join(JoinType::LeftJoin, claim::Relation::Outcome.def())
        .filter(Expr::col((claim::Entity, claim::Column::ClientId)).eq(client))
        .filter(claim::Column::ClaimedAt.gt(now - Duration::days(MAX_DAYS_AHEAD.into())))
        .filter(claim_outcome::Column::Id.is_null())
        .filter(listing::Column::AvailableUntil.gt(now))
        .limit(u64::from(share.live))
}

/// `(SELECT COUNT(*) FROM (rows) AS counted)`.
fn count_of(rows: SelectStatement) -> SimpleExpr {
    SimpleExpr::SubQuery(
        None,
        Box::new(
            Query::select()
                .expr(Expr::cust("COUNT(*)"))
                .from_subquery(rows, Alias::new("counted"))
                .take()
                .into(),
        ),
    )
}

/// Midnight of `now`'s day in Cameroon.
pub fn day_start(now: DateTime<Utc>) -> DateTime<Utc> {
    let local = now.with_timezone(&site_offset());
    let midnight = local.date_naive().and_time(chrono::NaiveTime::MIN);
    midnight
        .and_local_timezone(site_offset())
        .single()
        .map_or(now, |at| at.with_timezone(&Utc))
}

/// A listing put back in play: its new round, and who was waiting for it (now told).
struct Reopened {
    listing: listing::Model,
    waiting: Vec<i64>,
}

/// Reopens the listing of `claim` if that claim is still its live one and the deadline has
/// not passed: the listing becomes available in a new round, and everyone on its waiting list
/// is queued an email and taken off the list. Call it inside the transaction that records the
/// claim's outcome.
async fn reopen(
    txn: &impl ConnectionTrait,
    claim: &claim::Model,
    now: DateTime<Utc>,
) -> Result<Option<Reopened>, DbErr> {
    let reopened = listing::Entity::update_many()
        .col_expr(
            listing::Column::Status,
            Expr::value(ListingStatus::Available),
        )
        .col_expr(
            listing::Column::Round,
            Expr::col(listing::Column::Round).add(1),
        )
        .col_expr(listing::Column::UpdatedAt, Expr::value(now))
        .filter(listing::Column::Id.eq(claim.listing_id))
        .filter(listing::Column::Status.eq(ListingStatus::Claimed))
        .filter(listing::Column::Round.eq(claim.round))
        .filter(listing::Column::AvailableUntil.gt(now));
    let reopened = updated_listing(txn, reopened, claim.listing_id).await?;
    let Some(listing) = reopened else {
        return Ok(None);
    };
    let waiting: Vec<i64> = waitlist::Entity::find()
        .select_only()
        .column(waitlist::Column::ClientId)
        .filter(waitlist::Column::ListingId.eq(listing.id))
        .order_by_asc(waitlist::Column::Id)
        .into_tuple()
        .all(txn)
        .await?;
    if !waiting.is_empty() {
        waitlist::Entity::delete_many()
            .filter(waitlist::Column::ListingId.eq(listing.id))
            .exec(txn)
            .await?;
        let emails = waiting.iter().map(|&client| Queued {
            recipient_id: Some(client),
            ..Queued::about(claim.id, EmailKind::ReopenToWaiting, now)
        });
        outbox::enqueue(txn, emails, now).await?;
    }
    Ok(Some(Reopened { listing, waiting }))
}

/// Writes what became of `claim`. `Ok(None)`: an outcome was already there (the unique index
/// on the claim refused a second one); the caller rolls back and answers with it.
async fn settle(
    txn: &impl ConnectionTrait,
    claim: &claim::Model,
    outcome: Outcome,
    late: bool,
    actor: Actor,
    now: DateTime<Utc>,
) -> Result<Option<claim_outcome::Model>, DbErr> {
    let inserted = claim_outcome::ActiveModel {
        claim_id: Set(claim.id),
        outcome: Set(outcome),
        late: Set(late),
        recorded_by: Set(actor.user_id),
        recorded_at: Set(now),
        ..Default::default()
    }
    .insert(txn)
    .await;
    match inserted {
        Ok(row) => Ok(Some(row)),
        Err(e) if is_unique_violation(&e) => Ok(None),
        Err(e) => Err(e),
    }
}

/// A step that could not be taken because the claim's outcome is recorded: the same outcome
/// again is answered as done (a repeated tap), another one is refused with what was recorded;
/// with no outcome, the deadline had passed.
async fn already_settled(
    db: &impl ConnectionTrait,
    claim: &claim::Model,
    wanted: Outcome,
) -> DomainResult<OutcomeView> {
    match outcome_of(db, claim.id).await? {
        Some(recorded) if recorded.outcome == wanted => Ok(recorded),
        Some(recorded) => Err(DomainError::Refused(Refusal::Settled {
            outcome: recorded.outcome,
        })),
        None => Err(DomainError::Refused(Refusal::DeadlinePassed)),
    }
}

async fn outcome_of(db: &impl ConnectionTrait, claim_id: i64) -> DomainResult<Option<OutcomeView>> {
    Ok(claim_outcome::Entity::find()
        .filter(claim_outcome::Column::ClaimId.eq(claim_id))
        .one(db)
        .await?
        .map(|row| outcome_view(&row)))
}

fn outcome_view(row: &claim_outcome::Model) -> OutcomeView {
    OutcomeView {
        outcome: row.outcome,
        late: row.late,
        at: row.recorded_at,
    }
}

/// The client gives their claim back before the deadline. In one transaction: the listing is
/// available again in a new round (if the claim is still its live one), the outcome
/// "cancelled" is recorded (late in the last hour), the business is queued an email and
/// everyone waiting for the listing too. A repeated cancel answers the first.
pub async fn cancel(
    db: &(impl ConnectionTrait + TransactionTrait),
    events: &dyn EventSink,
    actor: Actor,
    claim_id: i64,
    now: DateTime<Utc>,
) -> DomainResult<OutcomeView> {
    actor.require(Role::Client)?;
    let claim = claim::Entity::find_by_id(claim_id)
        .one(db)
        .await?
        .filter(|c| c.client_id == actor.user_id)
        .ok_or(DomainError::NotFound)?;

    let txn = db.begin().await?;
    let Some(reopened) = reopen(&txn, &claim, now).await? else {
        txn.rollback().await?;
        return already_settled(db, &claim, Outcome::Cancelled).await;
    };
    let late = now >= reopened.listing.available_until - Duration::minutes(LATE_CANCEL_MINUTES);
    let Some(recorded) = settle(&txn, &claim, Outcome::Cancelled, late, actor, now).await? else {
        txn.rollback().await?;
        return already_settled(db, &claim, Outcome::Cancelled).await;
    };
    outbox::enqueue(
        &txn,
        [Queued::about(claim.id, EmailKind::CancelToBusiness, now)],
        now,
    )
    .await?;
    txn.commit().await?;

    events
        .publish(DomainEvent::ListingReopened {
            listing_id: claim.listing_id,
            business_id: reopened.listing.business_id,
            client_id: claim.client_id,
            waiting: reopened.waiting,
        })
        .await;
    Ok(outcome_view(&recorded))
}

/// Records whether the food of a claim was collected, from the pickup start on: the
/// listing's business either way, the client only that they collected it. A claim not
/// collected before the deadline puts the listing back in play, as a cancel does.
pub async fn record_pickup(
    db: &(impl ConnectionTrait + TransactionTrait),
    events: &dyn EventSink,
    actor: Actor,
    claim_id: i64,
    outcome: Outcome,
    now: DateTime<Utc>,
) -> DomainResult<OutcomeView> {
    let (claim, row) = claim::Entity::find_by_id(claim_id)
        .find_also_related(listing::Entity)
        .one(db)
        .await?
        .ok_or(DomainError::NotFound)?;
    let row = row.ok_or_else(|| DomainError::internal("claim without its listing", claim_id))?;
    let allowed = match actor.role {
        Role::Business if row.business_id == actor.user_id => outcome != Outcome::Cancelled,
        Role::Client if claim.client_id == actor.user_id => outcome == Outcome::Collected,
        _ => return Err(DomainError::NotFound),
    };
    if !allowed {
        return Err(DomainError::Forbidden);
    }
    let from = pickup_starts(row.pickup_from, claim.claimed_at);
    if now < from {
        return Err(DomainError::Refused(Refusal::PickupNotYet { from }));
    }

    let txn = db.begin().await?;
    let reopened = if outcome == Outcome::NotCollected {
        reopen(&txn, &claim, now).await?
    } else {
        None
    };
    let Some(recorded) = settle(&txn, &claim, outcome, false, actor, now).await? else {
        txn.rollback().await?;
        return already_settled(db, &claim, outcome).await;
    };
    txn.commit().await?;

    events
        .publish(match reopened {
            Some(reopened) => DomainEvent::ListingReopened {
                listing_id: row.id,
                business_id: row.business_id,
                client_id: claim.client_id,
                waiting: reopened.waiting,
            },
            None => DomainEvent::ClaimSettled {
                listing_id: row.id,
                business_id: row.business_id,
                client_id: claim.client_id,
            },
        })
        .await;
    Ok(outcome_view(&recorded))
}

/// Puts the client on the waiting list of a listing someone else holds: when it becomes
/// available again they are told (email and live notice), with everyone else waiting. Joining
/// twice is joining once.
pub async fn wait_for(
    db: &impl ConnectionTrait,
    actor: Actor,
    listing_id: i64,
    now: DateTime<Utc>,
) -> DomainResult<()> {
    actor.require(Role::Client)?;
    let row = listing::Entity::find_by_id(listing_id)
        .one(db)
        .await?
        .ok_or(DomainError::NotFound)?;
    match row.status.state(row.available_until <= now) {
        ListingState::Claimed if row.available_until > now => {}
        ListingState::Claimed | ListingState::Expired => {
            return Err(DomainError::Unavailable(ListingState::Expired));
        }
        ListingState::Available => return Err(DomainError::Refused(Refusal::NothingToWaitFor)),
        ListingState::Withdrawn => {
            return Err(DomainError::Unavailable(ListingState::Withdrawn));
        }
    }
    if holder(db, &row)
        .await?
        .is_some_and(|held| held.client_id == actor.user_id)
    {
        return Err(DomainError::Refused(Refusal::NothingToWaitFor));
    }
    waitlist::Entity::insert(waitlist::ActiveModel {
        listing_id: Set(listing_id),
        client_id: Set(actor.user_id),
        created_at: Set(now),
        ..Default::default()
    })
    .on_conflict_do_nothing_on([waitlist::Column::ListingId, waitlist::Column::ClientId])
    .exec(db)
    .await?;
    Ok(())
}

/// Takes the client off a listing's waiting list (nothing happens if they were not on it).
pub async fn stop_waiting(
    db: &impl ConnectionTrait,
    actor: Actor,
    listing_id: i64,
) -> DomainResult<()> {
    actor.require(Role::Client)?;
    waitlist::Entity::delete_many()
        .filter(waitlist::Column::ListingId.eq(listing_id))
        .filter(waitlist::Column::ClientId.eq(actor.user_id))
        .exec(db)
        .await?;
    Ok(())
}

/// Whether the client holds the listing's claim, waits for it, or neither.
pub async fn wait_status(
    db: &impl ConnectionTrait,
    actor: Actor,
    listing_id: i64,
) -> DomainResult<WaitStatus> {
    actor.require(Role::Client)?;
    let row = listing::Entity::find_by_id(listing_id)
        .one(db)
        .await?
        .ok_or(DomainError::NotFound)?;
    if holder(db, &row)
        .await?
        .is_some_and(|held| held.client_id == actor.user_id)
    {
        return Ok(WaitStatus::Holding);
    }
    let waiting = waitlist::Entity::find()
        .filter(waitlist::Column::ListingId.eq(listing_id))
        .filter(waitlist::Column::ClientId.eq(actor.user_id))
        .count(db)
        .await?
        > 0;
    Ok(if waiting {
        WaitStatus::Waiting
    } else {
        WaitStatus::NotWaiting
    })
}

struct Viewed {
    claim: ClaimView,
    business_language: Language,
}

async fn view_of(
    db: &impl ConnectionTrait,
    claim: claim::Model,
    now: DateTime<Utc>,
) -> DomainResult<Viewed> {
    let claim_id = claim.id;
    views_of(db, vec![claim], now)
        .await?
        .pop()
        .ok_or_else(|| DomainError::internal("claim without its listing", claim_id))
}

/// The claims as their client sees them at `now`, in four queries however many there are.
async fn views_of(
    db: &impl ConnectionTrait,
    claims: Vec<claim::Model>,
    now: DateTime<Utc>,
) -> DomainResult<Vec<Viewed>> {
    let ids: Vec<i64> = claims.iter().map(|c| c.listing_id).collect();
    let listings: HashMap<i64, (listing::Model, user::Model)> = listing::Entity::find()
        .filter(listing::Column::Id.is_in(ids))
        .find_also_related(user::Entity)
        .all(db)
        .await?
        .into_iter()
        .filter_map(|(listing, business)| Some((listing.id, (listing, business?))))
        .collect();
    let outcomes = outcomes_of(db, claims.iter().map(|c| c.id)).await?;
    let sizes = image_sizes(
        db,
        listings.values().filter_map(|(l, _)| l.thumb_key.clone()),
    )
    .await?;
    claims
        .into_iter()
        .map(|claim| {
            let (listing, business) = listings
                .get(&claim.listing_id)
                .cloned()
                .ok_or_else(|| DomainError::internal("claim without its listing", claim.id))?;
            let outcome = outcomes.get(&claim.id);
            Ok(viewed(claim, listing, business, &sizes, outcome, now))
        })
        .collect()
}

/// A claim as its client sees it at `now`, from its rows.
fn viewed(
    claim: claim::Model,
    listing: listing::Model,
    business: user::Model,
    sizes: &ImageSizes,
    outcome: Option<&claim_outcome::Model>,
    now: DateTime<Utc>,
) -> Viewed {
    Viewed {
        business_language: business.language,
        claim: ClaimView {
            claim_id: claim.id,
            claimed_at: claim.claimed_at,
            listing_id: listing.id,
            unit: listing.unit,
            thumbnail: sizes.image_ref(&listing.thumb_key),
            item_name: listing.item_name,
            quantity: listing.quantity,
            pickup_from: listing.pickup_from,
            available_until: listing.available_until,
            business_name: business.display_name,
            pickup_location: business.pickup_location.unwrap_or_default(),
            business_phone: business.phone,
            business_email: business.email,
            outcome: outcome.map(outcome_view),
            checked_at: now,
        },
    }
}

/// The outcomes of these claims, by claim.
async fn outcomes_of(
    db: &impl ConnectionTrait,
    claim_ids: impl IntoIterator<Item = i64>,
) -> Result<HashMap<i64, claim_outcome::Model>, DbErr> {
    Ok(claim_outcome::Entity::find()
        .filter(claim_outcome::Column::ClaimId.is_in(claim_ids))
        .all(db)
        .await?
        .into_iter()
        .map(|row| (row.claim_id, row))
        .collect())
}

/// Each client's past claims as businesses see them: collected, not collected, cancelled late.
pub async fn reliability(
    db: &impl ConnectionTrait,
    client_ids: impl IntoIterator<Item = i64>,
) -> Result<HashMap<i64, Reliability>, DbErr> {
    let rows: Vec<(i64, Outcome, bool, i64)> = claim_outcome::Entity::find()
        .select_only()
        .column(claim::Column::ClientId)
        .column(claim_outcome::Column::Outcome)
        .column(claim_outcome::Column::Late)
        .column_as(claim_outcome::Column::Id.count(), "n")
        .join(JoinType::InnerJoin, claim_outcome::Relation::Claim.def())
        .filter(claim::Column::ClientId.is_in(client_ids))
        .group_by(claim::Column::ClientId)
        .group_by(claim_outcome::Column::Outcome)
        .group_by(claim_outcome::Column::Late)
        .into_tuple()
        .all(db)
        .await?;
    let mut records: HashMap<i64, Reliability> = HashMap::new();
    for (client, outcome, late, n) in rows {
        let record = records.entry(client).or_default();
        let n = u32::try_from(n).unwrap_or(u32::MAX);
        match outcome {
            Outcome::Collected => record.collected += n,
            Outcome::NotCollected => record.not_collected += n,
            Outcome::Cancelled if late => record.late_cancels += n,
            Outcome::Cancelled => {}
        }
    }
    Ok(records)
}

/// What a business sees of its listings' claims: the claimant of each listing's current round
/// (with their record) and every claim and outcome so far.
pub struct ClaimsOfListings {
    pub current: HashMap<i64, Claimant>,
    pub history: HashMap<i64, Vec<HistoryStep>>,
}

/// The claims of these listings (all rounds) at `now`, in four queries however many there are.
pub async fn of_listings(
    db: &impl ConnectionTrait,
    listings: &[listing::Model],
    now: DateTime<Utc>,
) -> DomainResult<ClaimsOfListings> {
    let rounds: HashMap<i64, (i32, bool)> = listings
        .iter()
        .map(|l| (l.id, (l.round, l.status == ListingStatus::Claimed)))
        .collect();
    let claims: Vec<(claim::Model, user::Model)> = claim::Entity::find()
        .filter(claim::Column::ListingId.is_in(rounds.keys().copied()))
        .find_also_related(user::Entity)
        .order_by_asc(claim::Column::ClaimedAt)
        .order_by_asc(claim::Column::Id)
        .all(db)
        .await?
        .into_iter()
        .filter_map(|(claim, client)| Some((claim, client?)))
        .collect();
    let outcomes = outcomes_of(db, claims.iter().map(|(c, _)| c.id)).await?;
    let records = reliability(db, claims.iter().map(|(c, _)| c.client_id)).await?;

    let mut current = HashMap::new();
    let mut history: HashMap<i64, Vec<HistoryStep>> = HashMap::new();
    for (claim, client) in claims {
        let outcome = outcomes.get(&claim.id);
        let steps = history.entry(claim.listing_id).or_default();
        steps.push(HistoryStep {
            at: claim.claimed_at,
            client: client.display_name.clone(),
            outcome: None,
            late: false,
        });
        if let Some(row) = outcome {
            steps.push(HistoryStep {
                at: row.recorded_at,
                client: client.display_name.clone(),
                outcome: Some(row.outcome),
                late: row.late,
            });
        }
        if rounds.get(&claim.listing_id) == Some(&(claim.round, true)) {
            let reliability = records.get(&client.id).copied().unwrap_or_default();
            let mut claimant = views::claimant(&claim, client, now);
            claimant.outcome = outcome.map(outcome_view);
            claimant.reliability = reliability;
            current.insert(claim.listing_id, claimant);
        }
    }
    for steps in history.values_mut() {
        steps.sort_by_key(|step| step.at);
    }
    Ok(ClaimsOfListings { current, history })
}

/// Someone an email of a claim goes to besides its two sides (a client on the waiting list).
#[derive(Debug, Clone)]
pub struct Recipient {
    pub name: String,
    pub email: String,
    pub language: Language,
}

/// Everything the emails of a claim tell, and the language each side reads.
#[derive(Debug, Clone)]
pub struct ClaimNotice {
    pub claim: ClaimView,
    pub client: Claimant,
    pub client_language: Language,
    pub business_language: Language,
    /// Whom the email goes to when it is not one of the two sides.
    pub recipient: Option<Recipient>,
}

impl ClaimNotice {
    /// Whether an email of `kind` still has something to say when it is due: a reminder to
    /// collect, or the question whether it was, not once the claim's outcome is recorded.
    pub fn still_needed(&self, kind: EmailKind) -> bool {
        match kind {
            EmailKind::ReminderToClient | EmailKind::FollowUpToBusiness => {
                self.claim.outcome.is_none()
            }
            _ => true,
        }
    }
}

/// What the email `row` must tell at `now`.
pub async fn notice(
    db: &impl ConnectionTrait,
    row: &email::Model,
    now: DateTime<Utc>,
) -> DomainResult<ClaimNotice> {
    notices(db, std::slice::from_ref(row), now)
        .await?
        .remove(&row.id)
        .ok_or(DomainError::NotFound)
}

/// What each email of `rows` must tell at `now`, by email id (for the outbox workers, a batch
/// at a time), in at most five queries however many there are. An email whose claim (or
/// recipient) is gone has none.
pub async fn notices(
    db: &impl ConnectionTrait,
    rows: &[email::Model],
    now: DateTime<Utc>,
) -> DomainResult<HashMap<i64, ClaimNotice>> {
    let claims: HashMap<i64, (claim::Model, user::Model)> = claim::Entity::find()
        .filter(claim::Column::Id.is_in(rows.iter().map(|row| row.claim_id)))
        .find_also_related(user::Entity)
        .all(db)
        .await?
        .into_iter()
        .filter_map(|(claim, client)| Some((claim.id, (claim, client?))))
        .collect();
    let recipient_ids: Vec<i64> = rows.iter().filter_map(|row| row.recipient_id).collect();
    let recipients: HashMap<i64, user::Model> = if recipient_ids.is_empty() {
        HashMap::new()
    } else {
        user::Entity::find()
            .filter(user::Column::Id.is_in(recipient_ids))
            .all(db)
            .await?
            .into_iter()
            .map(|user| (user.id, user))
            .collect()
    };
    let claimed = claims.values().map(|(claim, _)| claim.clone()).collect();
    let viewed: HashMap<i64, Viewed> = views_of(db, claimed, now)
        .await?
        .into_iter()
        .map(|viewed| (viewed.claim.claim_id, viewed))
        .collect();
    Ok(rows
        .iter()
        .filter_map(|row| {
            let (claim, client) = claims.get(&row.claim_id)?;
            let viewed = viewed.get(&row.claim_id)?;
            let recipient = match row.recipient_id {
                Some(id) => {
                    let user = recipients.get(&id)?;
                    Some(Recipient {
                        name: user.display_name.clone(),
                        email: user.email.clone(),
                        language: user.language,
                    })
                }
                None => None,
            };
            let mut claimant = views::claimant(claim, client.clone(), now);
            claimant.outcome = viewed.claim.outcome;
            let notice = ClaimNotice {
                claim: viewed.claim.clone(),
                client: claimant,
                client_language: client.language,
                business_language: viewed.business_language,
                recipient,
            };
            Some((row.id, notice))
        })
        .collect())
}

/// A client's claims as they stand at `now`, newest first, `page_size` at a time after the
/// cursor `after`. Clients only.
pub async fn mine(
    db: &impl ConnectionTrait,
    actor: Actor,
    after: Option<&str>,
    now: DateTime<Utc>,
    page_size: u64,
) -> DomainResult<Page<ClaimView>> {
    actor.require(Role::Client)?;
    let claims = claim::Entity::find()
        .filter(claim::Column::ClientId.eq(actor.user_id))
        .filter(cursor::after(
            after,
            claim::Column::ClaimedAt,
            claim::Column::Id,
            &Order::Desc,
        ))
        .order_by_desc(claim::Column::ClaimedAt)
        .order_by_desc(claim::Column::Id)
        .limit(page_size + 1)
        .all(db)
        .await?;
    let page = cursor::page(claims, page_size, |c| (c.claimed_at, c.id));
    Ok(Page {
        items: views_of(db, page.items, now)
            .await?
            .into_iter()
            .map(|viewed| viewed.claim)
            .collect(),
        next: page.next,
    })
}

#[cfg(test)]
mod tests {
    use chrono::TimeZone;

    use super::*;

    #[test]
    fn a_day_is_cameroon_s_calendar_day() {
        // 23:30 UTC is already the next day in Douala (UTC+1).
        let late = Utc.with_ymd_and_hms(2026, 11, 22, 23, 30, 0).unwrap();
        assert_eq!(
            day_start(late),
            Utc.with_ymd_and_hms(2026, 11, 22, 23, 0, 0).unwrap()
        );
        let morning = Utc.with_ymd_and_hms(2026, 11, 22, 8, 0, 0).unwrap();
        assert_eq!(
            day_start(morning),
            Utc.with_ymd_and_hms(2026, 11, 21, 23, 0, 0).unwrap()
        );
    }
}
