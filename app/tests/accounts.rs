//! Account rules, on SQLite and on the real PostgreSQL.

use app::{
    domain::error::DomainError,
    domain::{
        accounts::{self, Actor, Registration},
        ratelimit::{ACCOUNT_LIMIT, Counter, FailureLimiter, TAKEN_EMAIL_LIMIT},
    },
    dto::{Language, Role},
    error::{Field, FieldError, Problem},
};
use chrono::Utc;
use testkit::TestDb;

fn business(email: &str) -> Registration {
    Registration {
        role: Role::Business,
        display_name: "  Boulangerie du Coin ".into(),
        pickup_location: Some("Rue 1, Akwa, Douala".into()),
        email: email.into(),
        phone: "6 77 12 34 56".into(),
        password: "mangue-plantain-2026".into(),
        language: Language::Fr,
    }
}

fn client(email: &str) -> Registration {
    Registration {
        role: Role::Client,
        display_name: "Amina".into(),
        pickup_location: Some("ignored for clients".into()),
        email: email.into(),
        phone: "+33 6 12 34 56 78".into(),
        password: "banane-douce-77".into(),
        language: Language::En,
    }
}

fn problems(result: Result<entity::user::Model, DomainError>) -> Vec<FieldError> {
    match result {
        Err(DomainError::Invalid(errors)) => errors,
        other => panic!("expected field errors, got {other:?}"),
    }
}

#[tokio::test]
async fn a_business_registers_with_clean_values_and_an_argon2id_hash() {
    for t in TestDb::each().await {
        let user = accounts::register(&t.db, business("Bakery@Example.CM"), Utc::now())
            .await
            .unwrap();
        assert_eq!(user.role, Role::Business, "{}", t.backend);
        assert_eq!(user.email, "bakery@example.cm");
        assert_eq!(user.phone, "+237677123456");
        assert_eq!(user.display_name, "Boulangerie du Coin");
        assert_eq!(user.pickup_location.as_deref(), Some("Rue 1, Akwa, Douala"));
        assert_eq!(user.language, Language::Fr);
        assert!(
            user.password_hash
                .starts_with("$argon2id$v=19$m=19456,t=2,p=1$"),
            "{}",
            user.password_hash
        );
    }
}

#[tokio::test]
async fn a_client_has_no_pickup_location() {
    for t in TestDb::each().await {
        let user = accounts::register(&t.db, client("amina@example.cm"), Utc::now())
            .await
            .unwrap();
        assert_eq!(user.role, Role::Client);
        assert_eq!(user.pickup_location, None, "{}", t.backend);
        assert_eq!(user.phone, "+33612345678");
    }
}

#[tokio::test]
async fn every_problem_is_reported_at_once_and_nothing_is_written() {
    for t in TestDb::each().await {
        let form = Registration {
            display_name: " ".into(),
            pickup_location: None,
            email: "not-an-email".into(),
            phone: "0612345678".into(),
            password: "password123".into(),
            ..business("x@example.cm")
        };
        let errors = problems(accounts::register(&t.db, form, Utc::now()).await);
        let expected = [
            (Field::PickupLocation, Problem::Required),
            (Field::BusinessName, Problem::Required),
            (Field::Email, Problem::EmailInvalid),
            (Field::Phone, Problem::PhoneNeedsCountryCode),
            (Field::Password, Problem::PasswordTooCommon),
        ];
        for (field, problem) in &expected {
            assert!(
                errors.contains(&FieldError {
                    field: *field,
                    problem: problem.clone()
                }),
                "{}: {field:?} {problem:?} in {errors:?}",
                t.backend
            );
        }
        assert_eq!(errors.len(), expected.len());
        let users = <entity::user::Entity as sea_orm::EntityTrait>::find()
            .all(&t.db)
            .await
            .unwrap();
        assert!(
            users.is_empty(),
            "{}: a refused registration wrote a row",
            t.backend
        );
    }
}

#[tokio::test]
async fn an_email_is_taken_in_any_case() {
    for t in TestDb::each().await {
        accounts::register(&t.db, business("bakery@example.cm"), Utc::now())
            .await
            .unwrap();
        let errors =
            problems(accounts::register(&t.db, client("  BAKERY@example.CM"), Utc::now()).await);
        assert_eq!(
            errors,
            vec![FieldError {
                field: Field::Email,
                problem: Problem::EmailTaken
            }],
            "{}",
            t.backend
        );
    }
}

#[tokio::test]
async fn simultaneous_registrations_with_one_email_make_one_account() {
    for t in TestDb::each().await {
        let attempts =
            (0..8).map(|_| accounts::register(&t.db, client("same@example.cm"), Utc::now()));
        let results = futures_util::future::join_all(attempts).await;
        let created = results.iter().filter(|r| r.is_ok()).count();
        assert_eq!(created, 1, "{}: {results:?}", t.backend);
        for refused in results.into_iter().filter(Result::is_err) {
            assert_eq!(
                problems(refused),
                vec![FieldError {
                    field: Field::Email,
                    problem: Problem::EmailTaken
                }]
            );
        }
    }
}

#[tokio::test]
async fn login_needs_the_right_password_and_says_the_same_for_unknown_emails() {
    for t in TestDb::each().await {
        let user = accounts::register(&t.db, business("bakery@example.cm"), Utc::now())
            .await
            .unwrap();
        let found = accounts::authenticate(&t.db, " Bakery@example.cm", "mangue-plantain-2026")
            .await
            .unwrap();
        assert_eq!(found.id, user.id, "{}", t.backend);

        let wrong_password =
            accounts::authenticate(&t.db, "bakery@example.cm", "mangue-plantain-2027").await;
        let unknown_email =
            accounts::authenticate(&t.db, "nobody@example.cm", "mangue-plantain-2026").await;
        let not_an_email = accounts::authenticate(&t.db, "nobody", "mangue-plantain-2026").await;
        assert_eq!(wrong_password.unwrap_err(), DomainError::InvalidCredentials);
        assert_eq!(unknown_email.unwrap_err(), DomainError::InvalidCredentials);
        assert_eq!(not_an_email.unwrap_err(), DomainError::InvalidCredentials);
    }
}

#[test]
fn each_role_passes_only_its_own_guard() {
    let business = Actor {
        user_id: 1,
        role: Role::Business,
    };
    let client = Actor {
        user_id: 2,
        role: Role::Client,
    };
    assert_eq!(business.require(Role::Business), Ok(business));
    assert_eq!(business.require(Role::Client), Err(DomainError::Forbidden));
    assert_eq!(client.require(Role::Client), Ok(client));
    assert_eq!(client.require(Role::Business), Err(DomainError::Forbidden));
}

/// The limiters a replica can run with: in-process (embedded default) and in Redis (shared by
/// every replica), under a key prefix of this test's own.
async fn limiters() -> [(FailureLimiter, &'static str); 2] {
    use tower_sessions_redis_store::fred::prelude::{Builder, ClientLike, Config};
    let url = std::env::var("TEST_REDIS_URL").unwrap_or_else(|_| "redis://127.0.0.1:6379".into());
    let pool = Builder::from_config(Config::from_url(&url).unwrap())
        .build_pool(1)
        .unwrap();
    pool.init().await.expect("Redis at TEST_REDIS_URL");
    let prefix = format!("{}:", testkit::unique_name("fbtest"));
    [
        (FailureLimiter::local(), "in-process"),
        (FailureLimiter::redis(pool, prefix), "Redis"),
    ]
}

#[tokio::test]
async fn five_wrong_passwords_make_the_account_wait_even_for_the_right_one() {
    let [sqlite, postgres] = TestDb::each().await;
    for ((limiter, kind), t) in limiters().await.into_iter().zip([sqlite, postgres]) {
        accounts::register(&t.db, business("bakery@example.cm"), Utc::now())
            .await
            .unwrap();
        let log_in = |password: &'static str, address: &'static str| {
            accounts::log_in(&t.db, &limiter, "bakery@example.cm", password, address)
        };
        for _ in 0..ACCOUNT_LIMIT {
            assert_eq!(
                log_in("wrong-password-1", "10.0.0.1").await.unwrap_err(),
                DomainError::InvalidCredentials,
                "{kind}"
            );
        }
        assert!(
            matches!(
                log_in("mangue-plantain-2026", "10.0.0.2").await,
                Err(DomainError::RateLimited { retry_after_secs }) if (1..=900).contains(&retry_after_secs)
            ),
            "{kind}: the account waits, from any address"
        );
        // Someone else behind the same address is not locked out.
        accounts::register(&t.db, client("amina@example.cm"), Utc::now())
            .await
            .unwrap();
        let other = accounts::log_in(
            &t.db,
            &limiter,
            "amina@example.cm",
            "banane-douce-77",
            "10.0.0.1",
        );
        assert!(other.await.is_ok(), "{kind}");
        limiter.reset(&Counter::account("bakery@example.cm")).await;
        limiter.reset(&Counter::address("10.0.0.1")).await;
    }
}

#[tokio::test]
async fn a_successful_login_forgets_the_failures_before_it() {
    let t = TestDb::new(testkit::Backend::Sqlite).await;
    let limiter = FailureLimiter::local();
    accounts::register(&t.db, business("bakery@example.cm"), Utc::now())
        .await
        .unwrap();
    let log_in = |password: &'static str| {
        accounts::log_in(&t.db, &limiter, "bakery@example.cm", password, "10.0.0.1")
    };
    for _ in 0..ACCOUNT_LIMIT - 1 {
        assert!(log_in("wrong-password-1").await.is_err());
    }
    assert!(log_in("mangue-plantain-2026").await.is_ok());
    for _ in 0..ACCOUNT_LIMIT - 1 {
        assert_eq!(
            log_in("wrong-password-1").await.unwrap_err(),
            DomainError::InvalidCredentials
        );
    }
}

#[tokio::test]
async fn registering_taken_emails_from_one_address_is_cut_short() {
    let [sqlite, postgres] = TestDb::each().await;
    for ((limiter, kind), t) in limiters().await.into_iter().zip([sqlite, postgres]) {
        accounts::register(&t.db, business("bakery@example.cm"), Utc::now())
            .await
            .unwrap();
        let sign_up = |form: Registration, address: &'static str| {
            accounts::sign_up(&t.db, &limiter, form, address, Utc::now())
        };
        for _ in 0..TAKEN_EMAIL_LIMIT {
            let taken = sign_up(client("bakery@example.cm"), "10.0.0.9").await;
            assert_eq!(
                taken.unwrap_err().problem(Field::Email),
                Some(&Problem::EmailTaken),
                "{kind}"
            );
        }
        assert!(
            matches!(
                sign_up(client("new@example.cm"), "10.0.0.9").await,
                Err(DomainError::RateLimited { .. })
            ),
            "{kind}: even a free email waits"
        );
        assert!(
            sign_up(client("other@example.cm"), "10.0.0.10")
                .await
                .is_ok(),
            "{kind}: another address is not limited"
        );
        limiter.reset(&Counter::taken_emails("10.0.0.9")).await;
    }
}
