//! The email outbox, on SQLite and on the real PostgreSQL: a claim queues its two emails in
//! its own transaction, and workers never take the same email twice.

mod common;

use std::collections::HashSet;

use app::{
    domain::{claims, events::RecordedEvents, outbox},
    dto::Role,
};
use chrono::Duration;
use entity::{codes::EmailKind, outbox as row};
use futures_util::future::join_all;
use sea_orm::{ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter, QueryOrder};
use testkit::TestDb;

async fn rows(db: &DatabaseConnection) -> Vec<row::Model> {
    row::Entity::find()
        .order_by_asc(row::Column::Id)
        .all(db)
        .await
        .unwrap()
}

/// `count` listings, each claimed by a different client: `2 * count` emails due at once (the
/// reminders and questions scheduled for later are taken out: they have a test of their own).
async fn claimed_listings(db: &DatabaseConnection, count: usize) {
    let business = common::user(db, Role::Business, "bakery@example.cm").await;
    let events = RecordedEvents::default();
    for client in common::many_clients(db, count).await {
        let id = common::post_listing(db, business, 3).await;
        claims::Desk::new(db.clone())
            .claim(&events, client, id, common::now(), common::PLENTY)
            .await
            .unwrap();
    }
    row::Entity::delete_many()
        .filter(
            row::Column::Kind.is_in([EmailKind::ReminderToClient, EmailKind::FollowUpToBusiness]),
        )
        .exec(db)
        .await
        .unwrap();
}

#[tokio::test]
async fn a_claim_queues_one_email_to_each_side_and_a_refused_claim_none() {
    for t in TestDb::each().await {
        let business = common::user(&t.db, Role::Business, "bakery@example.cm").await;
        let clients = common::many_clients(&t.db, 2).await;
        let id = common::post_listing(&t.db, business, 3).await;
        let events = RecordedEvents::default();
        let now = common::now();

        let claim = claims::Desk::new(t.db.clone())
            .claim(&events, clients[0], id, now, common::PLENTY)
            .await
            .unwrap();
        claims::Desk::new(t.db.clone())
            .claim(&events, clients[1], id, now, common::PLENTY)
            .await
            .expect_err("already claimed");

        let queued = rows(&t.db).await;
        let kinds: Vec<_> = queued
            .iter()
            .map(|r| (r.kind, r.claim_id, r.due_at, r.attempts))
            .collect();
        assert_eq!(
            kinds,
            [
                (EmailKind::ClaimToClient, claim.claim_id, Some(now), 0),
                (EmailKind::ClaimToBusiness, claim.claim_id, Some(now), 0),
                (
                    EmailKind::ReminderToClient,
                    claim.claim_id,
                    Some(claim.available_until - Duration::hours(1)),
                    0
                ),
                (
                    EmailKind::FollowUpToBusiness,
                    claim.claim_id,
                    Some(claim.available_until),
                    0
                ),
            ],
            "{}",
            t.backend
        );

        // What the emails will say, and in which language each side reads.
        let notice = claims::notice(&t.db, &queued[0], now).await.unwrap();
        assert_eq!(notice.claim, claim);
        assert!(notice.still_needed(EmailKind::ReminderToClient));
        assert_eq!(notice.client.contact_name, "Client 0");
        assert_eq!(notice.client.email, "client0@example.cm");
        assert_eq!(notice.client.phone, "+237699000000");
        assert_eq!(
            (
                notice.client_language.as_str(),
                notice.business_language.as_str()
            ),
            ("en", "fr")
        );
    }
}

#[tokio::test]
async fn a_claim_made_in_its_last_hour_queues_no_reminder() {
    for t in TestDb::each().await {
        let business = common::user(&t.db, Role::Business, "bakery@example.cm").await;
        let client = common::many_clients(&t.db, 1).await[0];
        let id = common::post_listing(&t.db, business, 1).await;
        // Ten minutes after posting: the hour before the deadline has begun.
        let later = common::now() + Duration::minutes(10);
        let claim = claims::Desk::new(t.db.clone())
            .claim(
                &RecordedEvents::default(),
                client,
                id,
                later,
                common::PLENTY,
            )
            .await
            .unwrap();

        let queued: Vec<_> = rows(&t.db)
            .await
            .iter()
            .map(|r| (r.kind, r.due_at))
            .collect();
        assert_eq!(
            queued,
            [
                (EmailKind::ClaimToClient, Some(later)),
                (EmailKind::ClaimToBusiness, Some(later)),
                (EmailKind::FollowUpToBusiness, Some(claim.available_until)),
            ],
            "{}",
            t.backend
        );
    }
}

#[tokio::test]
async fn workers_taking_emails_at_the_same_time_never_take_the_same_one() {
    for t in TestDb::each().await {
        claimed_listings(&t.db, 40).await;
        let queued: Vec<i64> = rows(&t.db).await.iter().map(|r| r.id).collect();
        assert_eq!(queued.len(), 80);
        let now = common::now();

        // Eight workers, each taking three at a time until nothing is left.
        let worker = |db: DatabaseConnection| async move {
            let mut taken = Vec::new();
            loop {
                let batch = outbox::take_due(&db, now, Duration::minutes(5), 3)
                    .await
                    .unwrap();
                if batch.is_empty() {
                    return taken;
                }
                taken.extend(batch.into_iter().map(|r| r.id));
            }
        };
        let taken: Vec<i64> = join_all((0..8).map(|_| worker(t.db.clone())))
            .await
            .into_iter()
            .flatten()
            .collect();

        let distinct: HashSet<i64> = taken.iter().copied().collect();
        assert_eq!(taken.len(), 80, "{}: taken twice", t.backend);
        assert_eq!(distinct, queued.into_iter().collect(), "{}", t.backend);
        assert!(rows(&t.db).await.iter().all(|r| r.attempts == 1));
    }
}

#[tokio::test]
async fn a_taken_email_is_leased_retried_with_backoff_and_never_sent_twice() {
    for t in TestDb::each().await {
        claimed_listings(&t.db, 1).await;
        let now = common::now();
        let lease = Duration::seconds(60);
        let take = |at| outbox::take_due(&t.db, at, lease, 1);

        let first = take(now).await.unwrap().remove(0);
        assert_eq!(first.attempts, 1);
        let second = take(now).await.unwrap().remove(0);
        assert_ne!(first.id, second.id, "the other email of the claim");
        // The server refused that address for good.
        outbox::abandon(&t.db, second.id, "550 no such mailbox")
            .await
            .unwrap();
        assert!(take(now + Duration::seconds(59)).await.unwrap().is_empty());

        // A worker that died mid-send: the email comes back when the lease ends.
        let again = take(now + Duration::seconds(60)).await.unwrap().remove(0);
        assert_eq!((again.id, again.attempts), (first.id, 2), "{}", t.backend);

        // The mail server is down: wait 2 s after the second attempt.
        let at = now + Duration::seconds(60);
        outbox::retry_later(&t.db, &again, at, "connection refused")
            .await
            .unwrap();
        assert!(take(at + Duration::seconds(1)).await.unwrap().is_empty());
        let third = take(at + Duration::seconds(2)).await.unwrap().remove(0);
        assert_eq!((third.id, third.attempts), (first.id, 3));
        assert_eq!(third.last_error.as_deref(), Some("connection refused"));

        outbox::mark_sent(&t.db, third.id, at).await.unwrap();
        assert!(take(at + Duration::days(30)).await.unwrap().is_empty());
        let done = rows(&t.db).await;
        let sent = done.iter().find(|r| r.id == first.id).unwrap();
        assert_eq!((sent.sent_at, sent.due_at), (Some(at), None));
        assert_eq!(sent.last_error, None);
        let abandoned = done.iter().find(|r| r.id == second.id).unwrap();
        assert_eq!((abandoned.sent_at, abandoned.due_at), (None, None));
        assert_eq!(abandoned.last_error.as_deref(), Some("550 no such mailbox"));
    }
}

#[tokio::test]
async fn an_email_that_keeps_failing_is_given_up_after_a_day() {
    for t in TestDb::each().await {
        claimed_listings(&t.db, 1).await;
        let queued = rows(&t.db).await.remove(0).created_at;
        let give_up = queued + Duration::hours(outbox::GIVE_UP_AFTER_HOURS);
        let lease = Duration::seconds(60);
        let refused = "connection refused";

        // Still tried again one second before the day is out (1 s later: its first backoff)...
        let just_before = give_up - Duration::seconds(1);
        let email = outbox::take_due(&t.db, just_before, lease, 1)
            .await
            .unwrap();
        let retry = outbox::retry_later(&t.db, &email[0], just_before, refused).await;
        assert_eq!(retry.unwrap(), outbox::Retry::At(give_up), "{}", t.backend);

        // ...but no longer once it is: both emails of the claim are abandoned with the reason.
        let emails = outbox::take_due(&t.db, give_up, lease, 2).await.unwrap();
        assert_eq!(emails.len(), 2, "{}", t.backend);
        for email in &emails {
            let retry = outbox::retry_later(&t.db, email, give_up, refused).await;
            assert_eq!(retry.unwrap(), outbox::Retry::GaveUp, "{}", t.backend);
        }
        let later = give_up + Duration::days(30);
        assert!(
            outbox::take_due(&t.db, later, lease, 2)
                .await
                .unwrap()
                .is_empty()
        );
        for row in rows(&t.db).await {
            assert_eq!((row.sent_at, row.due_at), (None, None));
            let reason = "gave up after 24 hours: connection refused";
            assert_eq!(row.last_error.as_deref(), Some(reason));
        }
    }
}

#[tokio::test]
async fn a_batch_of_emails_is_told_as_each_would_be_and_a_stopping_worker_gives_back_the_rest() {
    for t in TestDb::each().await {
        claimed_listings(&t.db, 3).await;
        let now = common::now();
        let lease = Duration::seconds(60);
        let mut batch = outbox::take_due(&t.db, now, lease, 8).await.unwrap();
        batch.sort_by_key(|e| e.id);
        assert_eq!(batch.len(), 6, "{}", t.backend);

        // Read for the whole batch at once, each email says what it would say alone.
        let notices = claims::notices(&t.db, &batch, now).await.unwrap();
        assert_eq!(notices.len(), 6, "{}", t.backend);
        for email in &batch {
            let alone = claims::notice(&t.db, email, now).await.unwrap();
            let batched = &notices[&email.id];
            assert_eq!(batched.claim, alone.claim, "{}", t.backend);
            assert_eq!(batched.claim.claim_id, email.claim_id);
            assert_eq!(batched.client.email, alone.client.email);
            assert_eq!(
                (batched.client_language, batched.business_language),
                (alone.client_language, alone.business_language)
            );
        }
        let clients: HashSet<&str> = notices.values().map(|n| n.client.email.as_str()).collect();
        assert_eq!(clients.len(), 3, "{}: each claim its own client", t.backend);

        // Two sent, then the worker stops: the four it had not tried are due again at once,
        // their attempt not counted; the sent ones are never taken again.
        outbox::mark_sent(&t.db, batch[0].id, now).await.unwrap();
        outbox::mark_sent(&t.db, batch[1].id, now).await.unwrap();
        outbox::release(&t.db, batch.iter().map(|e| e.id), now)
            .await
            .unwrap();
        let again = outbox::take_due(&t.db, now, lease, 8).await.unwrap();
        let mut ids: Vec<i64> = again.iter().map(|e| e.id).collect();
        ids.sort_unstable();
        let untried: Vec<i64> = batch[2..].iter().map(|e| e.id).collect();
        assert_eq!(ids, untried, "{}", t.backend);
        assert!(again.iter().all(|e| e.attempts == 1), "{}", t.backend);
    }
}

#[tokio::test]
async fn a_taken_email_keeps_its_recipient_whatever_was_taken_before() {
    for t in TestDb::each().await {
        let business = common::user(&t.db, Role::Business, "bakery@example.cm").await;
        let clients = common::many_clients(&t.db, 9).await;
        let events = RecordedEvents::default();
        let now = common::now();
        let lease = Duration::seconds(60);
        for round in 0..3 {
            // Emails to the claim's two sides first (no recipient), then one to someone waiting.
            let (holder, waiter, other) = (
                clients[round * 3],
                clients[round * 3 + 1],
                clients[round * 3 + 2],
            );
            let id = common::post_listing(&t.db, business, 3).await;
            let held = claims::Desk::new(t.db.clone())
                .claim(&events, holder, id, now, common::PLENTY)
                .await
                .unwrap();
            outbox::take_due(&t.db, now, lease, 50).await.unwrap();
            claims::wait_for(&t.db, waiter, id, now).await.unwrap();
            // Another claim's emails come first in the batch.
            let next = common::post_listing(&t.db, business, 3).await;
            claims::Desk::new(t.db.clone())
                .claim(&events, other, next, now, common::PLENTY)
                .await
                .unwrap();
            claims::cancel(&t.db, &events, holder, held.claim_id, now)
                .await
                .unwrap();
            let batch = outbox::take_due(&t.db, now, lease, 50).await.unwrap();
            let told: Vec<_> = batch
                .iter()
                .filter(|e| e.kind == EmailKind::ReopenToWaiting)
                .map(|e| e.recipient_id)
                .collect();
            assert_eq!(told, [Some(waiter.user_id)], "{} round {round}", t.backend);
        }
    }
}
