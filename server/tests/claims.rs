//! Claims through HTTP, on two replicas sharing the real PostgreSQL and Redis.

mod common;

use common::{call, register, replica};
use futures_util::future::join_all;
use reqwest::StatusCode;
use testkit::{Backend, TestDb};

/// Posts a listing directly in the database (the photo pipeline has tests of its own).
async fn listing(db: &sea_orm::DatabaseConnection, business_email: &str) -> i64 {
    use sea_orm::{ActiveModelTrait, ActiveValue::Set, ColumnTrait, EntityTrait, QueryFilter};
    let business = entity::user::Entity::find()
        .filter(entity::user::Column::Email.eq(business_email))
        .one(db)
        .await
        .unwrap()
        .unwrap();
    let now = chrono::Utc::now();
    entity::listing::ActiveModel {
        business_id: Set(business.id),
        item_name: Set("Pain complet".into()),
        quantity: Set(12.0),
        unit: Set("loaves".into()),
        category: Set("bakery".into()),
        dietary_tags: Set(String::new()),
        description: Set(String::new()),
        available_until: Set(now + chrono::Duration::hours(3)),
        status: Set("available".into()),
        created_at: Set(now),
        updated_at: Set(now),
        ..Default::default()
    }
    .insert(db)
    .await
    .unwrap()
    .id
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_hundred_clients_on_two_replicas_claim_one_listing_and_exactly_one_wins() {
    let t = TestDb::new(Backend::Postgres).await;
    let prefix = format!("{}:", testkit::unique_name("fbtest"));
    let replicas = [
        replica(&t.url, &prefix).await,
        replica(&t.url, &prefix).await,
    ];
    let business = register(&replicas[0], "business", "bakery@example.cm").await;
    let mut cookies = Vec::new();
    for chunk in (0..100).collect::<Vec<_>>().chunks(10) {
        let batch = chunk.iter().map(|i| {
            let base = replicas[i % 2].clone();
            async move { register(&base, "client", &format!("client{i}@example.cm")).await }
        });
        cookies.extend(join_all(batch).await);
    }

    // 100 claims on the same listing, at the same moment, half through each replica.
    let id = listing(&t.db, "bakery@example.cm").await.to_string();
    let attempts = cookies.iter().enumerate().map(|(i, cookie)| {
        let base = replicas[i % 2].clone();
        let id = id.clone();
        async move { call(&base, "claim_listing", Some(cookie), &[("listing_id", &id)]).await }
    });
    let results = join_all(attempts).await;
    let won: Vec<_> = results
        .iter()
        .filter(|(status, _, _)| *status == StatusCode::OK)
        .collect();
    let taken = results
        .iter()
        .filter(|(status, _, body)| {
            *status == StatusCode::CONFLICT && body.contains(r#""state":"claimed""#)
        })
        .count();
    assert_eq!(
        (won.len(), taken),
        (1, 99),
        "{:?}",
        results
            .iter()
            .find(|(s, _, _)| *s != StatusCode::OK && *s != StatusCode::CONFLICT)
    );
    assert!(
        won[0].2.contains(r#""business_phone":"+237677123456""#),
        "the winner learns how to collect: {}",
        won[0].2
    );

    use sea_orm::{EntityTrait, PaginatorTrait};
    assert_eq!(entity::claim::Entity::find().count(&t.db).await.unwrap(), 1);

    // And the winner finds it again under "My claims", on the other replica too.
    let winner = results
        .iter()
        .position(|(status, _, _)| *status == StatusCode::OK)
        .unwrap();
    let (status, _, body) = call(
        &replicas[(winner + 1) % 2],
        "my_claims",
        Some(&cookies[winner]),
        &[],
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert!(body.contains(&format!(r#""listing_id":{id}"#)), "{body}");

    // Leave nothing behind in the shared Redis: logging out deletes each session.
    cookies.push(business);
    join_all(
        cookies
            .iter()
            .map(|cookie| call(&replicas[0], "logout", Some(cookie), &[])),
    )
    .await;
}
