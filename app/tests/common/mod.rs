//! Fixtures shared by the domain tests.
#![allow(dead_code)] // each test file uses its own subset

use std::io::Cursor;

use app::domain::{
    accounts::{self, Actor, Registration},
    images::{self, Photo},
    listing_form::ListingForm,
};
use app::dto::{Language, Role, datetime_local};
use chrono::{DateTime, Duration, Utc};
use image::{ImageFormat, Rgb, RgbImage};
use sea_orm::DatabaseConnection;

/// A business is "Boulangerie du Coin", a client "Amina Ngono": never the same name, so a
/// test that reads a name knows whose it read.
pub async fn user(db: &DatabaseConnection, role: Role, email: &str) -> Actor {
    let display_name = match role {
        Role::Business => "Boulangerie du Coin",
        Role::Client => "Amina Ngono",
    };
    let registration = Registration {
        role,
        display_name: display_name.into(),
        pickup_location: Some("Rue Joss, Akwa, Douala".into()),
        email: email.into(),
        phone: "677123456".into(),
        password: "mangue-plantain-2026".into(),
        language: Language::Fr,
    };
    let user = accounts::register(db, registration, Utc::now())
        .await
        .unwrap();
    actor_of(&user)
}

/// A photo-like picture: smooth gradients and a few shapes.
pub fn picture(width: u32, height: u32) -> RgbImage {
    RgbImage::from_fn(width, height, |x, y| {
        let (fx, fy) = (x as f32 / width as f32, y as f32 / height as f32);
        let disc = ((fx - 0.5).powi(2) + (fy - 0.5).powi(2)).sqrt() < 0.25;
        if disc {
            Rgb([200, 120, 40])
        } else {
            Rgb([(fx * 255.0) as u8, (fy * 200.0) as u8, 90])
        }
    })
}

pub fn encode(image: &RgbImage, format: ImageFormat) -> Vec<u8> {
    let mut bytes = Cursor::new(Vec::new());
    image.write_to(&mut bytes, format).unwrap();
    bytes.into_inner()
}

pub fn jpeg(width: u32, height: u32) -> Vec<u8> {
    encode(&picture(width, height), ImageFormat::Jpeg)
}

/// One processed photo, made once per test binary.
pub fn photo() -> Photo {
    static PHOTO: std::sync::OnceLock<Photo> = std::sync::OnceLock::new();
    PHOTO
        .get_or_init(|| images::process(&jpeg(800, 600)).unwrap())
        .clone()
}

/// `count` clients inserted directly, sharing one password hash (hashing is the slow part of
/// registering, and registration has tests of its own).
pub async fn many_clients(db: &DatabaseConnection, count: usize) -> Vec<Actor> {
    use sea_orm::{ActiveModelTrait, ActiveValue::Set};
    let hash = accounts::hash_password("banane-douce-77".into())
        .await
        .unwrap();
    let mut actors = Vec::with_capacity(count);
    for i in 0..count {
        let user = entity::user::ActiveModel {
            role: Set(Role::Client),
            email: Set(format!("client{i}@example.cm")),
            phone: Set("+237699000000".into()),
            password_hash: Set(hash.clone()),
            display_name: Set(format!("Client {i}")),
            language: Set(Language::En),
            created_at: Set(Utc::now()),
            ..Default::default()
        }
        .insert(db)
        .await
        .unwrap();
        actors.push(actor_of(&user));
    }
    actors
}

/// A listing form that passes every rule, available for `hours` from `now`.
pub fn form(now: DateTime<Utc>, hours: i64) -> ListingForm {
    ListingForm {
        item_name: "Pain complet".into(),
        quantity: "12".into(),
        unit: "loaves".into(),
        category: "bakery".into(),
        dietary_tags: vec!["vegan".into()],
        description: "Baked this morning.".into(),
        pickup_from: String::new(),
        available_until: datetime_local(now + Duration::hours(hours)),
    }
}

/// Now, in whole seconds (as the domain's clock).
pub fn now() -> DateTime<Utc> {
    use chrono::SubsecRound;
    Utc::now().trunc_subsecs(0)
}

/// Posts a listing with a photo for `business`, available for `hours`.
pub async fn post_listing(db: &DatabaseConnection, business: Actor, hours: i64) -> i64 {
    let now = now();
    let events = app::domain::events::RecordedEvents::default();
    app::domain::listings::create(
        db,
        &events,
        business,
        &form(now, hours),
        Some(Ok(photo())),
        now,
    )
    .await
    .unwrap()
}

/// A fair share no test of something else runs into.
pub const PLENTY: app::domain::claims::FairShare = app::domain::claims::FairShare {
    live: 1_000,
    per_day: 1_000,
};

/// The actor a logged-in `user` acts as.
fn actor_of(user: &entity::user::Model) -> Actor {
    Actor {
        user_id: user.id,
        role: user.role,
    }
}
