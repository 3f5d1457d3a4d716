//! Registration, password checks and who may do what.

use std::sync::LazyLock;

use argon2::{
    Algorithm, Argon2, Params, Version,
    password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString, rand_core::OsRng},
};
use chrono::{DateTime, Utc};
use entity::user;
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter,
    SqlErr,
};
use serde::{Deserialize, Serialize};
use tokio::sync::Semaphore;

use crate::{
    domain::{
        error::{DomainError, DomainResult},
        ratelimit::{Counter, FailureLimiter},
        validate,
    },
    dto::{Account, Language, Role},
    error::{Field, FieldError, Problem},
};

/// The logged-in user acting on a request, as kept in the session.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Actor {
    pub user_id: i64,
    pub role: Role,
}

impl Actor {
    /// Refuses anyone who does not hold `role`.
    pub fn require(self, role: Role) -> DomainResult<Self> {
        if self.role == role {
            Ok(self)
        } else {
            Err(DomainError::Forbidden)
        }
    }
}

/// What the registration form sends.
#[derive(Debug, Clone)]
pub struct Registration {
    pub role: Role,
    pub display_name: String,
    pub pickup_location: Option<String>,
    pub email: String,
    pub phone: String,
    pub password: String,
    pub language: Language,
}

/// Validates every field (reporting all problems at once), then creates the account.
pub async fn register(
    db: &impl ConnectionTrait,
    form: Registration,
    now: DateTime<Utc>,
) -> DomainResult<user::Model> {
    let mut errors = Vec::new();
    let mut check = |field: Field, result: Result<String, Problem>| match result {
        Ok(value) => Some(value),
        Err(problem) => {
            errors.push(FieldError { field, problem });
            None
        }
    };

    let (name_field, pickup_location) = match form.role {
        Role::Business => (
            Field::BusinessName,
            check(
                Field::PickupLocation,
                validate::text(
                    form.pickup_location.as_deref().unwrap_or_default(),
                    validate::LOCATION_MAX,
                ),
            ),
        ),
        Role::Client => (Field::ContactName, None),
    };
    let display_name = check(
        name_field,
        validate::text(&form.display_name, validate::NAME_MAX),
    );
    let email = check(Field::Email, validate::email(&form.email));
    let phone = check(Field::Phone, validate::phone(&form.phone));
    check(
        Field::Password,
        validate::password(&form.password).map(|()| String::new()),
    );

    if let Some(email) = &email
        && email_registered(db, email).await?
    {
        errors.push(FieldError {
            field: Field::Email,
            problem: Problem::EmailTaken,
        });
    }
    let (Some(display_name), Some(email), Some(phone), true) =
        (display_name, email, phone, errors.is_empty())
    else {
        return Err(DomainError::Invalid(errors));
    };

    let inserted = user::ActiveModel {
        role: Set(form.role),
        email: Set(email),
        phone: Set(phone),
        password_hash: Set(hash_password(form.password).await?),
        display_name: Set(display_name),
        pickup_location: Set(pickup_location),
        language: Set(form.language),
        created_at: Set(now),
        ..Default::default()
    }
    .insert(db)
    .await;
    match inserted {
        Ok(user) => Ok(user),
        // Two registrations with one email at the same moment: the unique index decides.
        Err(e) if matches!(e.sql_err(), Some(SqlErr::UniqueConstraintViolation(_))) => {
            Err(DomainError::field(Field::Email, Problem::EmailTaken))
        }
        Err(e) => Err(e.into()),
    }
}

async fn email_registered(db: &impl ConnectionTrait, email: &str) -> DomainResult<bool> {
    Ok(user::Entity::find()
        .filter(user::Column::Email.eq(email))
        .one(db)
        .await?
        .is_some())
}

/// The user with this email and password. A wrong email and a wrong password get the same
/// error after the same work (one argon2 verification), so neither answers nor timing tell
/// whether an account exists.
pub async fn authenticate(
    db: &impl ConnectionTrait,
    email: &str,
    password: &str,
) -> DomainResult<user::Model> {
    let user = match validate::email(email) {
        Ok(email) => {
            user::Entity::find()
                .filter(user::Column::Email.eq(email))
                .one(db)
                .await?
        }
        Err(_) => None,
    };
    let hash = user
        .as_ref()
        .map_or_else(|| DUMMY_HASH.clone(), |u| u.password_hash.clone());
    let password = password
        .chars()
        .take(validate::PASSWORD_MAX + 1)
        .collect::<String>();
    match (user, verify_password(password, hash).await?) {
        (Some(user), true) => Ok(user),
        _ => Err(DomainError::InvalidCredentials),
    }
}

/// [`authenticate`] within the limits on failed logins: 5 per account and 20 per client
/// `address` in 15 minutes, then the caller is told how long to wait. A success clears the
/// account's count.
pub async fn log_in(
    db: &impl ConnectionTrait,
    limiter: &FailureLimiter,
    email: &str,
    password: &str,
    address: &str,
) -> DomainResult<user::Model> {
    let account = Counter::account(email);
    let counters = [account.clone(), Counter::address(address)];
    limiter.check(&counters).await?;
    match authenticate(db, email, password).await {
        Ok(user) => {
            limiter.reset(&account).await;
            Ok(user)
        }
        Err(DomainError::InvalidCredentials) => {
            limiter.record_failure(&counters).await;
            Err(DomainError::InvalidCredentials)
        }
        Err(e) => Err(e),
    }
}

/// [`register`] within the limit on registrations refused because the email is taken, per
/// client `address`, so nobody can test a list of emails for accounts.
pub async fn sign_up(
    db: &impl ConnectionTrait,
    limiter: &FailureLimiter,
    form: Registration,
    address: &str,
    now: DateTime<Utc>,
) -> DomainResult<user::Model> {
    let taken_emails = [Counter::taken_emails(address)];
    limiter.check(&taken_emails).await?;
    let registered = register(db, form, now).await;
    if let Err(e) = &registered
        && e.problem(Field::Email) == Some(&Problem::EmailTaken)
    {
        limiter.record_failure(&taken_emails).await;
    }
    registered
}

/// Remembers the language `actor` reads, for what FoodBridge writes to them (emails).
pub async fn set_language(
    db: &impl ConnectionTrait,
    actor: Actor,
    language: Language,
) -> DomainResult<()> {
    user::Entity::update_many()
        .col_expr(
            user::Column::Language,
            sea_orm::sea_query::Expr::value(language),
        )
        .filter(user::Column::Id.eq(actor.user_id))
        .exec(db)
        .await?;
    Ok(())
}

/// Loads the user behind a session.
pub async fn find_user(db: &impl ConnectionTrait, id: i64) -> DomainResult<Option<user::Model>> {
    Ok(user::Entity::find_by_id(id).one(db).await?)
}

pub fn current_user(user: user::Model) -> Account {
    Account {
        id: user.id,
        role: user.role,
        display_name: user.display_name,
        email: user.email,
        phone: user.phone,
        pickup_location: user.pickup_location,
    }
}

/// Argon2id with OWASP's parameters: 19 MiB, 2 passes, 1 lane.
fn argon2() -> Argon2<'static> {
    let params = Params::new(19 * 1024, 2, 1, None).expect("OWASP argon2 parameters are valid");
    Argon2::new(Algorithm::Argon2id, Version::V0x13, params)
}

/// A hash of nothing anyone knows, verified against when the email matches no account.
static DUMMY_HASH: LazyLock<String> = LazyLock::new(|| {
    argon2()
        .hash_password(
            b"no account has this password",
            &SaltString::generate(&mut OsRng),
        )
        .expect("hashing a constant cannot fail")
        .to_string()
});

/// A PHC string. Runs on the blocking pool: ~50 ms of CPU must not stall the async runtime.
pub async fn hash_password(password: String) -> DomainResult<String> {
    blocking(move || {
        argon2()
            .hash_password(password.as_bytes(), &SaltString::generate(&mut OsRng))
            .map(|hash| hash.to_string())
            .map_err(|e| DomainError::internal("password hashing failed", e))
    })
    .await
}

pub async fn verify_password(password: String, phc: String) -> DomainResult<bool> {
    blocking(move || {
        let hash = PasswordHash::new(&phc)
            .map_err(|e| DomainError::internal("stored password hash is not a PHC string", e))?;
        Ok(argon2().verify_password(password.as_bytes(), &hash).is_ok())
    })
    .await
}

/// Hashes computed at once: one fewer than the machine's cores (at least one). Each takes a
/// core and 19 MiB for ~50 ms, so a burst of logins waits its turn instead of taking every
/// core from the pages being served (and the memory of one hash per blocking thread).
static HASHING: LazyLock<Semaphore> = LazyLock::new(|| {
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    Semaphore::new(cores.saturating_sub(1).max(1))
});

async fn blocking<T: Send + 'static>(
    work: impl FnOnce() -> DomainResult<T> + Send + 'static,
) -> DomainResult<T> {
    let _turn = HASHING
        .acquire()
        .await
        .map_err(|e| DomainError::internal("hashing semaphore closed", e))?;
    tokio::task::spawn_blocking(work)
        .await
        .map_err(|e| DomainError::internal("blocking task failed", e))?
}
