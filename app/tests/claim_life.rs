//! A claim's life after it is made, on SQLite and on the real PostgreSQL: a repeated claim,
//! cancel, collected or not, the fair share, the waiting list, and the races between them.

mod common;

use app::{
    domain::{
        accounts::Actor,
        claims::{self, FairShare},
        error::DomainError,
        events::{DomainEvent, RecordedEvents},
        listings,
    },
    dto::{ListingState, Outcome, Role, WaitStatus},
    error::Refusal,
};
use chrono::{DateTime, Duration, Utc};
use entity::{claim, claim_outcome, codes::EmailKind, outbox};
use futures_util::future::join_all;
use sea_orm::{
    ColumnTrait, ConnectionTrait, DatabaseConnection, DbBackend, EntityTrait, PaginatorTrait,
    QueryFilter, Statement,
};
use testkit::{Backend, TestDb};

async fn state(db: &DatabaseConnection, id: i64) -> ListingState {
    listings::get(db, id, common::now()).await.unwrap().state
}

async fn emails(db: &DatabaseConnection, kind: EmailKind) -> Vec<outbox::Model> {
    outbox::Entity::find()
        .filter(outbox::Column::Kind.eq(kind))
        .all(db)
        .await
        .unwrap()
}

/// Claims without an outcome, per listing: never more than one.
async fn live_claims(db: &DatabaseConnection, listing_id: i64) -> usize {
    let claims = claim::Entity::find()
        .filter(claim::Column::ListingId.eq(listing_id))
        .find_also_related(claim_outcome::Entity)
        .all(db)
        .await
        .unwrap();
    claims.iter().filter(|(_, o)| o.is_none()).count()
}

struct World {
    business: Actor,
    clients: Vec<Actor>,
    events: RecordedEvents,
}

async fn world(db: &DatabaseConnection, clients: usize) -> World {
    World {
        business: common::user(db, Role::Business, "bakery@example.cm").await,
        clients: common::many_clients(db, clients).await,
        events: RecordedEvents::default(),
    }
}

async fn claim_at(
    db: &DatabaseConnection,
    w: &World,
    client: Actor,
    id: i64,
    now: DateTime<Utc>,
) -> Result<app::dto::ClaimView, DomainError> {
    claims::Desk::new(db.clone())
        .claim(&w.events, client, id, now, common::PLENTY)
        .await
}

#[tokio::test]
async fn a_repeated_claim_answers_the_claim_and_sends_nothing_again() {
    for t in TestDb::each().await {
        let w = world(&t.db, 2).await;
        let id = common::post_listing(&t.db, w.business, 3).await;
        let now = common::now();
        let first = claim_at(&t.db, &w, w.clients[0], id, now).await.unwrap();
        let again = claim_at(&t.db, &w, w.clients[0], id, now + Duration::seconds(5))
            .await
            .unwrap();
        assert_eq!(again.claim_id, first.claim_id, "{}", t.backend);
        assert_eq!(
            claim_at(&t.db, &w, w.clients[1], id, now).await,
            Err(DomainError::Unavailable(ListingState::Claimed)),
            "someone else's claim is refused"
        );
        assert_eq!(emails(&t.db, EmailKind::ClaimToClient).await.len(), 1);
        assert_eq!(w.events.take().len(), 1, "one claim, one event");
    }
}

#[tokio::test]
async fn a_cancel_reopens_the_listing_tells_the_business_and_keeps_the_claim() {
    for t in TestDb::each().await {
        let w = world(&t.db, 2).await;
        let (amina, paul) = (w.clients[0], w.clients[1]);
        let id = common::post_listing(&t.db, w.business, 3).await;
        let now = common::now();
        let first = claim_at(&t.db, &w, amina, id, now).await.unwrap();
        w.events.take();

        assert_eq!(
            claims::cancel(&t.db, &w.events, paul, first.claim_id, now).await,
            Err(DomainError::NotFound),
            "only one's own claim"
        );
        let cancelled = claims::cancel(&t.db, &w.events, amina, first.claim_id, now)
            .await
            .unwrap_or_else(|e| panic!("{}: {e:?}", t.backend));
        assert_eq!(
            (cancelled.outcome, cancelled.late),
            (Outcome::Cancelled, false)
        );
        assert_eq!(state(&t.db, id).await, ListingState::Available);
        assert_eq!(
            w.events.take(),
            vec![DomainEvent::ListingReopened {
                listing_id: id,
                business_id: w.business.user_id,
                client_id: amina.user_id,
                waiting: vec![],
            }]
        );
        let told = emails(&t.db, EmailKind::CancelToBusiness).await;
        assert_eq!(told.len(), 1);
        assert_eq!(told[0].claim_id, first.claim_id);
        // A double tap: the same answer, nothing more.
        assert_eq!(
            claims::cancel(&t.db, &w.events, amina, first.claim_id, now).await,
            Ok(cancelled)
        );
        assert_eq!(emails(&t.db, EmailKind::CancelToBusiness).await.len(), 1);

        // Claimed again, by someone else: a second claim row, the first one untouched.
        let second = claim_at(&t.db, &w, paul, id, now).await.unwrap();
        assert_ne!(second.claim_id, first.claim_id);
        let mine = claims::mine(&t.db, amina, None, now, 50)
            .await
            .unwrap()
            .items;
        assert_eq!(mine[0].outcome, Some(cancelled), "{}", t.backend);
        assert_eq!(claim::Entity::find().count(&t.db).await.unwrap(), 2);

        // The business sees the whole story, and who holds it now.
        let own = listings::mine(&t.db, w.business, None, now, 50)
            .await
            .unwrap()
            .items
            .remove(0);
        assert_eq!(own.claimed_by.unwrap().claim_id, second.claim_id);
        let story: Vec<_> = own
            .history
            .iter()
            .map(|s| (s.client.as_str(), s.outcome))
            .collect();
        assert_eq!(
            story,
            [
                ("Client 0", None),
                ("Client 0", Some(Outcome::Cancelled)),
                ("Client 1", None)
            ]
        );
    }
}

#[tokio::test]
async fn a_cancel_in_the_last_hour_is_late_and_after_the_deadline_refused() {
    for t in TestDb::each().await {
        let w = world(&t.db, 1).await;
        let amina = w.clients[0];
        let id = common::post_listing(&t.db, w.business, 3).await;
        let claim = claim_at(&t.db, &w, amina, id, common::now()).await.unwrap();
        let until = claim.available_until;

        assert_eq!(
            claims::cancel(&t.db, &w.events, amina, claim.claim_id, until).await,
            Err(DomainError::Refused(Refusal::DeadlinePassed)),
            "{}",
            t.backend
        );
        let late = claims::cancel(
            &t.db,
            &w.events,
            amina,
            claim.claim_id,
            until - Duration::minutes(59),
        )
        .await
        .unwrap();
        assert!(late.late);
        let record = claims::reliability(&t.db, [amina.user_id]).await.unwrap();
        assert_eq!(record[&amina.user_id].late_cancels, 1);
    }
}

#[tokio::test]
async fn the_business_records_collected_or_not_and_the_client_only_collected() {
    for t in TestDb::each().await {
        let w = world(&t.db, 3).await;
        let other = common::user(&t.db, Role::Business, "shop@example.cm").await;
        let now = common::now();
        let (a, b) = (
            common::post_listing(&t.db, w.business, 3).await,
            common::post_listing(&t.db, w.business, 3).await,
        );
        let ca = claim_at(&t.db, &w, w.clients[0], a, now).await.unwrap();
        let cb = claim_at(&t.db, &w, w.clients[1], b, now).await.unwrap();
        let record = |actor, claim_id, outcome| {
            claims::record_pickup(&t.db, &w.events, actor, claim_id, outcome, now)
        };

        assert_eq!(
            record(other, ca.claim_id, Outcome::Collected).await,
            Err(DomainError::NotFound),
            "another business's claim"
        );
        assert_eq!(
            record(w.clients[0], ca.claim_id, Outcome::NotCollected).await,
            Err(DomainError::Forbidden),
            "a client cannot call themselves a no-show"
        );
        assert_eq!(
            record(w.clients[2], ca.claim_id, Outcome::Collected).await,
            Err(DomainError::NotFound)
        );
        let by_client = record(w.clients[0], ca.claim_id, Outcome::Collected)
            .await
            .unwrap();
        assert_eq!(by_client.outcome, Outcome::Collected);
        assert_eq!(
            record(w.business, ca.claim_id, Outcome::Collected).await,
            Ok(by_client),
            "the same outcome again is the same answer"
        );
        assert_eq!(
            record(w.business, ca.claim_id, Outcome::NotCollected).await,
            Err(DomainError::Refused(Refusal::Settled {
                outcome: Outcome::Collected
            }))
        );
        assert_eq!(state(&t.db, a).await, ListingState::Claimed);

        // A no-show before the deadline puts the food back in play.
        record(w.business, cb.claim_id, Outcome::NotCollected)
            .await
            .unwrap();
        assert_eq!(
            state(&t.db, b).await,
            ListingState::Available,
            "{}",
            t.backend
        );
        let records = claims::reliability(&t.db, [w.clients[0].user_id, w.clients[1].user_id])
            .await
            .unwrap();
        assert_eq!(records[&w.clients[0].user_id].collected, 1);
        assert_eq!(records[&w.clients[1].user_id].not_collected, 1);
    }
}

#[tokio::test]
async fn the_pickup_is_recorded_from_its_start_on() {
    for t in TestDb::each().await {
        let w = world(&t.db, 1).await;
        let now = common::now();
        let mut form = common::form(now, 5);
        let from = now + Duration::hours(2);
        form.pickup_from = app::dto::datetime_local(from);
        let id = listings::create(
            &t.db,
            &w.events,
            w.business,
            &form,
            Some(Ok(common::photo())),
            now,
        )
        .await
        .unwrap();
        let claim = claim_at(&t.db, &w, w.clients[0], id, now).await.unwrap();
        let starts = claim.pickup_starts();
        let early = claims::record_pickup(
            &t.db,
            &w.events,
            w.business,
            claim.claim_id,
            Outcome::Collected,
            starts - Duration::seconds(1),
        )
        .await;
        assert_eq!(
            early,
            Err(DomainError::Refused(Refusal::PickupNotYet { from: starts }))
        );
        claims::record_pickup(
            &t.db,
            &w.events,
            w.business,
            claim.claim_id,
            Outcome::Collected,
            starts,
        )
        .await
        .unwrap();
    }
}

#[tokio::test]
async fn a_cancel_racing_the_business_marking_it_collected_has_one_outcome() {
    for t in TestDb::each().await {
        let w = world(&t.db, 1).await;
        let amina = w.clients[0];
        let now = common::now();
        for _ in 0..10 {
            let id = common::post_listing(&t.db, w.business, 3).await;
            let claim = claim_at(&t.db, &w, amina, id, now).await.unwrap();
            let (cancel, collected) = tokio::join!(
                claims::cancel(&t.db, &w.events, amina, claim.claim_id, now),
                claims::record_pickup(
                    &t.db,
                    &w.events,
                    w.business,
                    claim.claim_id,
                    Outcome::Collected,
                    now
                ),
            );
            let outcomes = claim_outcome::Entity::find()
                .filter(claim_outcome::Column::ClaimId.eq(claim.claim_id))
                .all(&t.db)
                .await
                .unwrap();
            assert_eq!(outcomes.len(), 1, "{}", t.backend);
            let (won, lost) = match outcomes[0].outcome {
                Outcome::Cancelled => (cancel.map(|o| o.outcome), collected),
                _ => (collected.map(|o| o.outcome), cancel),
            };
            assert_eq!(won, Ok(outcomes[0].outcome), "{}", t.backend);
            assert_eq!(
                lost,
                Err(DomainError::Refused(Refusal::Settled {
                    outcome: outcomes[0].outcome
                })),
                "{}",
                t.backend
            );
            let reopened = outcomes[0].outcome == Outcome::Cancelled;
            assert_eq!(
                state(&t.db, id).await == ListingState::Available,
                reopened,
                "{}: the listing follows the outcome that won",
                t.backend
            );
        }
    }
}

#[tokio::test]
async fn a_cancel_racing_new_claims_never_leaves_two_live_claims() {
    for t in TestDb::each().await {
        let w = world(&t.db, 11).await;
        let now = common::now();
        for _ in 0..5 {
            let id = common::post_listing(&t.db, w.business, 3).await;
            let held = claim_at(&t.db, &w, w.clients[0], id, now).await.unwrap();
            let cancel = claims::cancel(&t.db, &w.events, w.clients[0], held.claim_id, now);
            let tries = join_all(
                w.clients[1..]
                    .iter()
                    .map(|&c| claim_at(&t.db, &w, c, id, now)),
            );
            let (cancelled, tries) = tokio::join!(cancel, tries);
            cancelled.unwrap();
            let won = tries.iter().filter(|r| r.is_ok()).count();
            assert!(won <= 1, "{}: {won} won", t.backend);
            assert!(
                tries.iter().all(
                    |r| r.is_ok() || *r == Err(DomainError::Unavailable(ListingState::Claimed))
                )
            );
            assert_eq!(live_claims(&t.db, id).await, won, "{}", t.backend);
        }
    }
}

#[tokio::test]
async fn a_hundred_clients_racing_for_a_reopened_listing_make_one_claim() {
    for t in TestDb::each().await {
        let w = world(&t.db, 101).await;
        let id = common::post_listing(&t.db, w.business, 3).await;
        let now = common::now();
        let held = claim_at(&t.db, &w, w.clients[100], id, now).await.unwrap();
        claims::cancel(&t.db, &w.events, w.clients[100], held.claim_id, now)
            .await
            .unwrap();

        let results = join_all(
            w.clients[..100]
                .iter()
                .map(|&c| claim_at(&t.db, &w, c, id, now)),
        )
        .await;
        let won: Vec<_> = results.iter().filter_map(|r| r.as_ref().ok()).collect();
        assert_eq!(won.len(), 1, "{}", t.backend);
        assert!(
            results
                .iter()
                .all(|r| r.is_ok() || *r == Err(DomainError::Unavailable(ListingState::Claimed)))
        );
        let rounds: Vec<i32> = claim::Entity::find()
            .filter(claim::Column::ListingId.eq(id))
            .all(&t.db)
            .await
            .unwrap()
            .iter()
            .map(|c| c.round)
            .collect();
        assert_eq!(rounds, [1, 2], "{}", t.backend);
    }
}

#[tokio::test]
async fn a_round_holds_one_claim_even_if_the_conditional_update_were_bypassed() {
    for t in TestDb::each().await {
        let w = world(&t.db, 2).await;
        let id = common::post_listing(&t.db, w.business, 3).await;
        claim_at(&t.db, &w, w.clients[0], id, common::now())
            .await
            .unwrap();
        let second = format!(
            "INSERT INTO claims (listing_id, client_id, claimed_at, round) VALUES ({id}, {}, '2026-11-23T10:00:00+00:00', 1)",
            w.clients[1].user_id
        );
        let refused = t.db.execute_unprepared(&second).await;
        assert!(
            refused.is_err(),
            "{}: the unique round refused it",
            t.backend
        );
    }
}

#[tokio::test]
async fn a_client_holds_at_most_n_live_claims_and_makes_at_most_m_a_day() {
    for t in TestDb::each().await {
        let w = world(&t.db, 1).await;
        let amina = w.clients[0];
        let share = FairShare::default();
        let now = common::now();
        let mut held = Vec::new();
        for hours in [5, 3, 4] {
            let id = common::post_listing(&t.db, w.business, hours).await;
            held.push(
                claims::Desk::new(t.db.clone())
                    .claim(&w.events, amina, id, now, share)
                    .await
                    .unwrap(),
            );
        }
        let fourth = common::post_listing(&t.db, w.business, 3).await;
        let first_ends = held.iter().map(|c| c.available_until).min();
        assert_eq!(
            claims::Desk::new(t.db.clone())
                .claim(&w.events, amina, fourth, now, share)
                .await,
            Err(DomainError::Refused(Refusal::LiveLimit {
                max: 3,
                next_free: first_ends
            })),
            "{}",
            t.backend
        );
        assert_eq!(
            state(&t.db, fourth).await,
            ListingState::Available,
            "nothing half-done"
        );

        // Giving one back frees a place; a collected one does too.
        claims::cancel(&t.db, &w.events, amina, held[0].claim_id, now)
            .await
            .unwrap();
        claims::Desk::new(t.db.clone())
            .claim(&w.events, amina, fourth, now, share)
            .await
            .unwrap();
        claims::record_pickup(
            &t.db,
            &w.events,
            amina,
            held[1].claim_id,
            Outcome::Collected,
            now,
        )
        .await
        .unwrap();
        let fifth = common::post_listing(&t.db, w.business, 3).await;
        claims::Desk::new(t.db.clone())
            .claim(&w.events, amina, fifth, now, share)
            .await
            .unwrap();

        // Five claims made today, cancelled or not: no sixth until midnight in Douala.
        claims::record_pickup(
            &t.db,
            &w.events,
            amina,
            held[2].claim_id,
            Outcome::Collected,
            now,
        )
        .await
        .unwrap();
        let sixth = common::post_listing(&t.db, w.business, 3).await;
        assert_eq!(
            claims::Desk::new(t.db.clone())
                .claim(&w.events, amina, sixth, now, share)
                .await,
            Err(DomainError::Refused(Refusal::DailyLimit {
                max: 5,
                until: claims::day_start(now) + Duration::days(1)
            })),
            "{}",
            t.backend
        );
    }
}

#[tokio::test]
async fn a_claim_made_almost_a_week_ago_still_counts_while_its_deadline_is_ahead() {
    for t in TestDb::each().await {
        let w = world(&t.db, 1).await;
        let amina = w.clients[0];
        let share = FairShare {
            live: 1,
            per_day: 5,
        };
        let now = common::now();
        // Deadlines as far ahead as a listing allows: a week, less an hour.
        let old = common::post_listing(&t.db, w.business, 7 * 24 - 1).await;
        let held = claims::Desk::new(t.db.clone())
            .claim(&w.events, amina, old, now, share)
            .await
            .unwrap();
        let other = common::post_listing(&t.db, w.business, 7 * 24 - 1).await;
        let later = now + Duration::hours(7 * 24 - 2);
        assert_eq!(
            claims::Desk::new(t.db.clone())
                .claim(&w.events, amina, other, later, share)
                .await,
            Err(DomainError::Refused(Refusal::LiveLimit {
                max: 1,
                next_free: Some(held.available_until)
            })),
            "{}",
            t.backend
        );
    }
}

#[tokio::test]
async fn twenty_claims_at_once_through_two_replicas_get_exactly_the_cap() {
    for t in TestDb::each().await {
        let w = world(&t.db, 1).await;
        let amina = w.clients[0];
        let mut ids = Vec::new();
        for _ in 0..20 {
            ids.push(common::post_listing(&t.db, w.business, 3).await);
        }
        // A second replica: its own pool on the same database.
        let other = migration::open(&t.url, 16).await.unwrap();
        let share = FairShare {
            live: 3,
            per_day: 100,
        };
        let now = common::now();
        let results = join_all(ids.iter().enumerate().map(|(n, &id)| {
            let db = if n % 2 == 0 {
                t.db.clone()
            } else {
                other.clone()
            };
            let events = w.events.clone();
            async move {
                claims::Desk::new(db.clone())
                    .claim(&events, amina, id, now, share)
                    .await
            }
        }))
        .await;
        let won = results.iter().filter(|r| r.is_ok()).count();
        assert_eq!(
            won,
            3,
            "{}: {:?}",
            t.backend,
            results.iter().find(|r| r.is_err())
        );
        assert!(results.iter().all(|r| r.is_ok()
            || matches!(
                r,
                Err(DomainError::Refused(Refusal::LiveLimit { max: 3, .. }))
            )));
        assert_eq!(claim::Entity::find().count(&t.db).await.unwrap(), 3);
        let available = join_all(ids.iter().map(|&id| state(&t.db, id))).await;
        assert_eq!(
            available
                .iter()
                .filter(|s| **s == ListingState::Available)
                .count(),
            17,
            "{}: the refused listings stay available",
            t.backend
        );
    }
}

/// A replica makes the claims that come at once together, several in one statement (a
/// [`claims::Desk`]): every rule holds there as for a claim made alone. Twelve clients each try
/// all of 24 listings at once, through two replicas, with a share of two live claims each.
#[tokio::test]
async fn claims_made_together_through_two_replicas_keep_every_rule() {
    for t in TestDb::each().await {
        let w = world(&t.db, 12).await;
        let mut ids = Vec::new();
        for _ in 0..24 {
            ids.push(common::post_listing(&t.db, w.business, 3).await);
        }
        let other = migration::open(&t.url, 16).await.unwrap();
        let desks = [claims::Desk::new(t.db.clone()), claims::Desk::new(other)];
        let share = FairShare {
            live: 2,
            per_day: 100,
        };
        let now = common::now();
        let attempts = w.clients.iter().enumerate().flat_map(|(n, &client)| {
            let mut order = ids.clone();
            order.rotate_left(n * 5 % ids.len());
            order
                .into_iter()
                .enumerate()
                .map(move |(k, id)| (client, id, (n + k) % 2))
        });
        let results = join_all(attempts.map(|(client, id, replica)| {
            let desk = desks[replica].clone();
            let events = w.events.clone();
            async move { (client, desk.claim(&events, client, id, now, share).await) }
        }))
        .await;

        let odd = results.iter().find(|(_, r)| {
            !matches!(
                r,
                Ok(_)
                    | Err(DomainError::Unavailable(ListingState::Claimed))
                    | Err(DomainError::Refused(Refusal::LiveLimit { max: 2, .. }))
            )
        });
        assert_eq!(odd, None, "{}", t.backend);
        // Every client holds their share, every listing one claim: 24 claims.
        for &client in &w.clients {
            let won = results
                .iter()
                .filter(|(c, r)| *c == client && r.is_ok())
                .count();
            assert_eq!(won, 2, "{}: {client:?}", t.backend);
        }
        let rows = claim::Entity::find().all(&t.db).await.unwrap();
        let mut claimed: Vec<i64> = rows.iter().map(|c| c.listing_id).collect();
        claimed.sort_unstable();
        assert_eq!(claimed, ids, "{}: each listing exactly once", t.backend);
        assert_eq!(
            w.events.take().len(),
            24,
            "{}: one event a claim",
            t.backend
        );
        // Each claim's four emails, each written once.
        for kind in [
            EmailKind::ClaimToClient,
            EmailKind::ClaimToBusiness,
            EmailKind::ReminderToClient,
            EmailKind::FollowUpToBusiness,
        ] {
            let mut about: Vec<i64> = emails(&t.db, kind)
                .await
                .iter()
                .map(|e| e.claim_id)
                .collect();
            about.sort_unstable();
            let mut all: Vec<i64> = rows.iter().map(|c| c.id).collect();
            all.sort_unstable();
            assert_eq!(about, all, "{}: {kind:?}", t.backend);
        }
        if t.backend == Backend::Postgres {
            // Claims made in one statement were written by one transaction.
            let writers: i64 =
                t.db.query_one_raw(Statement::from_string(
                    DbBackend::Postgres,
                    "SELECT count(DISTINCT xmin::text) AS writers FROM claims",
                ))
                .await
                .unwrap()
                .unwrap()
                .try_get("", "writers")
                .unwrap();
            assert!(writers < 24, "{writers} transactions for 24 claims");
        }
    }
}

#[tokio::test]
async fn everyone_waiting_is_told_when_the_listing_comes_back() {
    for t in TestDb::each().await {
        let w = world(&t.db, 3).await;
        let (amina, paul, zoe) = (w.clients[0], w.clients[1], w.clients[2]);
        let id = common::post_listing(&t.db, w.business, 3).await;
        let now = common::now();
        assert_eq!(
            claims::wait_for(&t.db, paul, id, now).await,
            Err(DomainError::Refused(Refusal::NothingToWaitFor)),
            "an available listing is claimed, not waited for"
        );
        let held = claim_at(&t.db, &w, amina, id, now).await.unwrap();
        assert_eq!(
            claims::wait_for(&t.db, amina, id, now).await,
            Err(DomainError::Refused(Refusal::NothingToWaitFor)),
            "not for one's own claim"
        );
        assert_eq!(
            claims::wait_status(&t.db, amina, id).await,
            Ok(WaitStatus::Holding)
        );
        for client in [paul, zoe, paul] {
            claims::wait_for(&t.db, client, id, now).await.unwrap();
        }
        assert_eq!(
            claims::wait_status(&t.db, paul, id).await,
            Ok(WaitStatus::Waiting)
        );
        claims::stop_waiting(&t.db, zoe, id).await.unwrap();
        assert_eq!(
            claims::wait_status(&t.db, zoe, id).await,
            Ok(WaitStatus::NotWaiting)
        );
        claims::wait_for(&t.db, zoe, id, now).await.unwrap();
        w.events.take();

        claims::cancel(&t.db, &w.events, amina, held.claim_id, now)
            .await
            .unwrap();
        let told = emails(&t.db, EmailKind::ReopenToWaiting).await;
        let mut recipients: Vec<_> = told.iter().map(|e| e.recipient_id).collect();
        recipients.sort();
        assert_eq!(
            recipients,
            [Some(paul.user_id), Some(zoe.user_id)],
            "{}",
            t.backend
        );
        let events = w.events.take();
        let DomainEvent::ListingReopened { waiting, .. } = &events[0] else {
            panic!("{events:?}");
        };
        assert_eq!(waiting.len(), 2);
        assert!(events[0].seen_by(Some(paul.user_id)).waited);
        assert!(!events[0].seen_by(Some(amina.user_id)).waited);
        assert!(!events[0].seen_by(None).waited);
        assert_eq!(
            claims::wait_status(&t.db, paul, id).await,
            Ok(WaitStatus::NotWaiting),
            "told once, then off the list"
        );
        let notice = claims::notice(&t.db, &told[0], now).await.unwrap();
        assert!(notice.recipient.is_some());

        // As a worker takes them, each with the others due then: each to its own recipient.
        let batch = app::domain::outbox::take_due(&t.db, now, Duration::seconds(60), 50)
            .await
            .unwrap();
        let notices = claims::notices(&t.db, &batch, now).await.unwrap();
        let mut told: Vec<_> = batch
            .iter()
            .filter(|e| e.kind == EmailKind::ReopenToWaiting)
            .map(|e| notices[&e.id].recipient.as_ref().map(|r| r.email.clone()))
            .collect();
        told.sort();
        assert_eq!(told.len(), 2, "{}", t.backend);
        assert!(told.iter().all(Option::is_some), "{}: {told:?}", t.backend);
    }
}

#[tokio::test]
async fn a_reminder_or_a_follow_up_is_not_needed_once_the_outcome_is_recorded() {
    for t in TestDb::each().await {
        let w = world(&t.db, 1).await;
        let id = common::post_listing(&t.db, w.business, 3).await;
        let now = common::now();
        let held = claim_at(&t.db, &w, w.clients[0], id, now).await.unwrap();
        let reminder = emails(&t.db, EmailKind::ReminderToClient).await.remove(0);
        assert!(
            claims::notice(&t.db, &reminder, now)
                .await
                .unwrap()
                .still_needed(reminder.kind)
        );
        claims::cancel(&t.db, &w.events, w.clients[0], held.claim_id, now)
            .await
            .unwrap();
        for kind in [EmailKind::ReminderToClient, EmailKind::FollowUpToBusiness] {
            let email = emails(&t.db, kind).await.remove(0);
            let notice = claims::notice(&t.db, &email, now).await.unwrap();
            assert!(!notice.still_needed(kind), "{}: {kind:?}", t.backend);
        }
    }
}
