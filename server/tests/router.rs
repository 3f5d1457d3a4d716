//! The HTTP surface of one replica, driven through the router with `oneshot`.

mod common;

use app::error::{AppError, Field, Problem};
use axum::{
    Router,
    body::Body,
    http::{Request, StatusCode, header},
};
use chrono::{Duration, Utc};
use http_body_util::BodyExt;
use leptos::server_fn::error::ServerFnUrlError;
use sea_orm::{ActiveModelTrait, ActiveValue::Set, DatabaseConnection};
use server::startup;
use testkit::{Backend, TestDb};
use tower::ServiceExt;

async fn app_for(url: &str, redis: Option<&str>) -> Router {
    let mut args = vec!["--database-url", url];
    if let Some(redis) = redis {
        args.extend(["--redis-url", redis]);
    }
    startup::app(&common::config(&args))
        .await
        .expect("replica starts")
}

async fn get(
    app: &Router,
    uri: &str,
    cookie: Option<&str>,
) -> (StatusCode, axum::http::HeaderMap, String) {
    // What a browser sends for a page.
    let mut request = Request::get(uri).header(header::ACCEPT, "text/html,application/xhtml+xml");
    if let Some(cookie) = cookie {
        request = request.header(header::COOKIE, cookie);
    }
    send(app, request.body(Body::empty()).unwrap()).await
}

async fn send(app: &Router, request: Request<Body>) -> (StatusCode, axum::http::HeaderMap, String) {
    // A hung request fails the test with a message instead of stalling the whole suite.
    let response = tokio::time::timeout(
        std::time::Duration::from_secs(30),
        app.clone().oneshot(request),
    )
    .await
    .expect("the request took over 30 s")
    .unwrap();

    let (parts, body) = response.into_parts();
    let bytes = body.collect().await.unwrap().to_bytes();
    (
        parts.status,
        parts.headers,
        String::from_utf8_lossy(&bytes).into_owned(),
    )
}

/// A listing of a business of its own, available for `available_for` from now.
async fn add_listing(db: &DatabaseConnection, available_for: Duration) -> i64 {
    let email = format!("{}@example.cm", testkit::unique_name("bakery"));
    entity::user::ActiveModel {
        role: Set(entity::codes::Role::Business),
        email: Set(email.clone()),
        phone: Set("+237677123456".into()),
        password_hash: Set("x".into()),
        display_name: Set("Boulangerie du Coin".into()),
        pickup_location: Set(Some("Rue 1, Douala".into())),
        language: Set(entity::codes::Language::Fr),
        created_at: Set(Utc::now()),
        ..Default::default()
    }
    .insert(db)
    .await
    .unwrap();
    common::listing_for(db, &email, available_for).await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn healthz_says_the_process_is_alive() {
    let t = TestDb::new(Backend::Sqlite).await;
    let app = app_for(&t.url, None).await;
    let (status, _, body) = get(&app, "/healthz", None).await;
    assert_eq!((status, body.as_str()), (StatusCode::OK, "ok"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn readyz_is_ready_on_sqlite() {
    let t = TestDb::new(Backend::Sqlite).await;
    let app = app_for(&t.url, None).await;
    let (status, _, body) = get(&app, "/readyz", None).await;
    assert_eq!((status, body.as_str()), (StatusCode::OK, "ready"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn readyz_checks_postgres_and_redis_and_fails_when_the_database_is_gone() {
    let t = TestDb::new(Backend::Postgres).await;
    let app = app_for(&t.url, Some("redis://127.0.0.1:6379")).await;
    let (status, _, body) = get(&app, "/readyz", None).await;
    assert_eq!((status, body.as_str()), (StatusCode::OK, "ready"));

    drop(t); // DROP DATABASE … WITH (FORCE): every connection of the replica is cut.

    let (status, _, body) = get(&app, "/readyz", None).await;
    assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE);
    assert!(body.contains("database"), "reason given: {body:?}");
    assert!(!body.contains("redis"), "Redis is still up: {body:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_home_page_is_rendered_on_the_server_with_live_figures() {
    let t = TestDb::new(Backend::Sqlite).await;
    add_listing(&t.db, Duration::hours(3)).await;
    add_listing(&t.db, Duration::hours(-1)).await; // expired: not counted
    let app = app_for(&t.url, None).await;

    let (status, _, body) = get(&app, "/", None).await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        body.contains(r#"data-testid="available-count" class="count">1<"#),
        "{body}"
    );
    assert!(body.contains("Listings available right now"));
    assert!(body.contains("/foodbridge.js"), "hydration script missing");
}

/// A browse page with 20 cards stays light on a slow phone: under 30 KB as sent (gzip).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_browse_page_of_20_cards_is_under_30_kb_gzipped() {
    let t = TestDb::new(Backend::Sqlite).await;
    for _ in 0..25 {
        add_listing(&t.db, Duration::hours(3)).await;
    }
    let app = app_for(&t.url, None).await;

    let (status, _, page) = get(&app, "/browse", None).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(page.matches(r#"data-testid="listing-card""#).count(), 20);

    let response = app
        .clone()
        .oneshot(
            Request::get("/browse")
                .header(header::ACCEPT, "text/html")
                .header(header::ACCEPT_ENCODING, "gzip")
                .body(Body::empty())
                .unwrap(),
        )
        .await
        .unwrap();
    assert_eq!(response.headers()[header::CONTENT_ENCODING], "gzip");
    let sent = response
        .into_body()
        .collect()
        .await
        .unwrap()
        .to_bytes()
        .len();
    println!(
        "browse page, 20 cards: {} bytes, {sent} bytes gzipped",
        page.len()
    );
    assert!(sent < 30 * 1024, "{sent} bytes gzipped");
}

/// The site's files are linked under a path that names their content, kept a year by the
/// browser and sent precompressed; pages are never kept.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_site_files_are_kept_a_year_under_their_version_and_pages_are_not_kept() {
    let t = TestDb::new(Backend::Sqlite).await;
    let site = tempfile::tempdir().unwrap();
    let pkg = site.path().join("pkg");
    std::fs::create_dir(&pkg).unwrap();
    std::fs::write(pkg.join("foodbridge.js"), "export default function () {}").unwrap();
    std::fs::write(pkg.join("foodbridge.js.br"), "brotli bytes").unwrap();
    std::fs::write(pkg.join("foodbridge.css"), "body { color: green }").unwrap();
    let site_root = site.path().to_str().unwrap();
    let app = startup::app(&common::config(&[
        "--database-url",
        &t.url,
        "--site-root",
        site_root,
    ]))
    .await
    .expect("replica starts");

    let (status, headers, page) = get(&app, "/", None).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(headers[header::CACHE_CONTROL], "no-cache");
    let script = page
        .split('"')
        .find(|part| part.starts_with("/pkg/") && part.ends_with("/foodbridge.js"))
        .unwrap_or_else(|| panic!("no versioned script in {page}"))
        .to_owned();
    let version = script
        .trim_start_matches("/pkg/")
        .trim_end_matches("/foodbridge.js");
    assert_eq!(version.len(), 16, "{script}");
    assert!(
        page.contains(&format!("/pkg/{version}/foodbridge.css")),
        "{page}"
    );

    let (status, headers, body) = send(
        &app,
        Request::get(&script)
            .header(header::ACCEPT_ENCODING, "gzip, br")
            .body(Body::empty())
            .unwrap(),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        headers[header::CACHE_CONTROL],
        "public, max-age=31536000, immutable"
    );
    assert_eq!(headers[header::CONTENT_ENCODING], "br");
    assert_eq!(body, "brotli bytes");

    let (status, headers, body) = send(
        &app,
        Request::get(format!("/pkg/{version}/foodbridge.css"))
            .body(Body::empty())
            .unwrap(),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert!(!headers.contains_key(header::CONTENT_ENCODING));
    assert_eq!(body, "body { color: green }");

    // Another build's path is not this replica's: never kept as if it were.
    let (status, headers, _) = get(&app, "/pkg/0123456789abcdef/foodbridge.js", None).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_ne!(
        headers
            .get(header::CACHE_CONTROL)
            .map(|v| v.to_str().unwrap()),
        Some("public, max-age=31536000, immutable")
    );
}

/// A request never reads what another left behind on the worker thread. leptos_axum gives
/// each request a reactive owner whose parent is the thread's current owner; left there by a
/// page being rendered, that page's response options went out with a static file: `/sw.js`
/// carried another user's `Set-Cookie: i18n_pref_locale=fr` (a journey's page then came in
/// French for a user who never chose it).
#[tokio::test] // one thread: the request runs where the other one's owner is current
async fn a_site_file_never_carries_another_requests_response_options() {
    use leptos::prelude::{Owner, provide_context};
    use leptos_axum::ResponseOptions;

    let t = TestDb::new(Backend::Sqlite).await;
    let site = tempfile::tempdir().unwrap();
    std::fs::write(
        site.path().join("sw.js"),
        "self.addEventListener('fetch', () => {});",
    )
    .unwrap();
    let app = startup::app(&common::config(&[
        "--database-url",
        &t.url,
        "--site-root",
        site.path().to_str().unwrap(),
    ]))
    .await
    .expect("replica starts");

    // Another request's page, its owner current on this thread, setting a French cookie.
    let other = Owner::new_root(None);
    other.set();
    let options = ResponseOptions::default();
    provide_context(options.clone());
    options.insert_header(
        header::SET_COOKIE,
        "i18n_pref_locale=fr; Path=/".parse().unwrap(),
    );
    options.set_status(StatusCode::FOUND);

    let (status, headers, body) = get(&app, "/sw.js", None).await;
    assert_eq!(status, StatusCode::OK);
    assert!(body.starts_with("self.addEventListener"), "{body}");
    assert_eq!(headers.get(header::SET_COOKIE), None);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_page_comes_in_the_language_chosen() {
    let t = TestDb::new(Backend::Sqlite).await;
    let app = app_for(&t.url, None).await;

    let (status, headers, _) = send(
        &app,
        Request::get("/lang/fr")
            .header(header::REFERER, "http://localhost:3000/?from=test")
            .header(header::HOST, "localhost:3000")
            .body(Body::empty())
            .unwrap(),
    )
    .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    assert_eq!(headers[header::LOCATION], "/?from=test");
    let cookie = headers[header::SET_COOKIE].to_str().unwrap();
    assert!(cookie.starts_with("i18n_pref_locale=fr;"), "{cookie}");

    let (_, _, body) = get(&app, "/", Some("i18n_pref_locale=fr")).await;
    assert!(body.contains(r#"<html lang="fr""#), "{}", &body[..200]);
    assert!(body.contains("Actualiser"));

    let (status, _, _) = get(&app, "/lang/xx", None).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn get_availability_answers_over_http() {
    let t = TestDb::new(Backend::Postgres).await;
    add_listing(&t.db, Duration::minutes(30)).await;
    let app = app_for(&t.url, None).await;

    let (status, _, body) = send(
        &app,
        Request::post("/api/get_availability")
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .header(header::ACCEPT, "application/json")
            .body(Body::empty())
            .unwrap(),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert!(body.contains(r#""available_listings":1"#), "{body}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_unknown_address_is_a_404_page() {
    let t = TestDb::new(Backend::Sqlite).await;
    let app = app_for(&t.url, None).await;
    let (status, _, body) = get(&app, "/no/such/page", None).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert!(body.contains("Page not found"));
}

async fn post_form(
    app: &Router,
    endpoint: &str,
    cookie: Option<&str>,
    form: &str,
) -> (StatusCode, axum::http::HeaderMap, String) {
    let mut request = Request::post(format!("/api/{endpoint}"))
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .header(header::ACCEPT, "application/json");
    if let Some(cookie) = cookie {
        request = request.header(header::COOKIE, cookie);
    }
    send(app, request.body(Body::from(form.to_owned())).unwrap()).await
}

fn session_cookie(headers: &axum::http::HeaderMap) -> String {
    headers[header::SET_COOKIE].to_str().unwrap().to_owned()
}

const REGISTER_CLIENT: &str = "role=client&display_name=Amina&email=amina%40example.cm&phone=677123456&password=banane-douce-77&language=en";

const REGISTER_PAUL: &str = "role=client&display_name=Paul&email=paul%40example.cm&phone=677123457&password=banane-douce-77&language=en";

/// Registers `form`'s client and returns their session cookie, as a browser would send it.
async fn register_as(app: &Router, form: &str) -> String {
    let (status, headers, body) = post_form(app, "register", None, form).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let cookie = session_cookie(&headers);
    cookie.split(';').next().unwrap().to_owned()
}

/// Registers Amina (a client) and returns her session cookie.
async fn register_client(app: &Router) -> String {
    register_as(app, REGISTER_CLIENT).await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_session_cookie_is_http_only_and_same_site() {
    let t = TestDb::new(Backend::Sqlite).await;
    let app = app_for(&t.url, None).await;
    let (status, headers, body) = post_form(&app, "register", None, REGISTER_CLIENT).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let cookie = session_cookie(&headers);
    assert!(cookie.starts_with("foodbridge_session="), "{cookie}");
    assert!(
        cookie.contains("HttpOnly") && cookie.contains("SameSite=Lax"),
        "{cookie}"
    );
    assert!(
        !cookie.contains("Secure"),
        "development cookies work over plain HTTP: {cookie}"
    );

    let secret = "s".repeat(64);
    let config = common::config(&[
        "--database-url",
        &t.url,
        "--production",
        "--public-url",
        "https://foodbridge.cm",
        "--session-secret",
        &secret,
    ]);
    let production = startup::app(&config).await.unwrap();
    let form = REGISTER_CLIENT.replace("amina%40", "amina2%40");
    let (_, headers, _) = post_form(&production, "register", None, &form).await;
    assert!(
        session_cookie(&headers).contains("Secure"),
        "production cookies are Secure"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sessions_in_the_database_survive_a_restart() {
    let t = TestDb::new(Backend::Sqlite).await;
    let cookie = register_client(&app_for(&t.url, None).await).await;

    let restarted = app_for(&t.url, None).await;
    let (_, _, body) = post_form(&restarted, "current_user", Some(&cookie), "").await;
    assert!(body.contains(r#""email":"amina@example.cm""#), "{body}");

    post_form(&restarted, "logout", Some(&cookie), "").await;
    let (_, _, body) = post_form(&restarted, "current_user", Some(&cookie), "").await;
    assert_eq!(body, "null");
}

/// Every page shows who is logged in from the session, not the database: a session begun
/// before the account was kept in it reads the account once and keeps it; one whose account is
/// gone ends.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_session_without_its_account_reads_it_once_and_ends_when_it_is_gone() {
    use sea_orm::ConnectionTrait;

    let t = TestDb::new(Backend::Sqlite).await;
    let app = app_for(&t.url, None).await;
    let cookie = register_client(&app).await;
    let session_data = || async {
        let row =
            t.db.query_one_raw(sea_orm::Statement::from_string(
                t.db.get_database_backend(),
                "SELECT data FROM sessions",
            ))
            .await
            .unwrap();
        row.map(|row| row.try_get::<String>("", "data").unwrap())
    };
    let forget_account = "UPDATE sessions SET data = json_remove(data, '$.data.account')";
    assert!(session_data().await.unwrap().contains("amina@example.cm"));

    let stripped = t.db.execute_unprepared(forget_account).await.unwrap();
    assert_eq!(stripped.rows_affected(), 1);
    assert!(!session_data().await.unwrap().contains("amina@example.cm"));
    let (_, _, body) = post_form(&app, "current_user", Some(&cookie), "").await;
    assert!(body.contains(r#""email":"amina@example.cm""#), "{body}");
    assert!(
        session_data().await.unwrap().contains("amina@example.cm"),
        "the account read was not kept in the session"
    );

    t.db.execute_unprepared(forget_account).await.unwrap();
    t.db.execute_unprepared("DELETE FROM users").await.unwrap();
    let (_, _, body) = post_form(&app, "current_user", Some(&cookie), "").await;
    assert_eq!(body, "null");
    assert_eq!(
        session_data().await,
        None,
        "the session outlived its account"
    );
}

/// A session ends 7 days after its last use, not 7 days after login: a session used a day or
/// more after it was last renewed is stored again with 7 days ahead and its cookie sent again;
/// one renewed within the day is not written at all.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_session_in_use_is_renewed_once_a_day() {
    use sea_orm::ConnectionTrait;

    const DAY: i64 = 24 * 60 * 60;
    let t = TestDb::new(Backend::Sqlite).await;
    let app = app_for(&t.url, None).await;
    let cookie = register_client(&app).await;
    let expires_in = || async {
        let row =
            t.db.query_one_raw(sea_orm::Statement::from_string(
                t.db.get_database_backend(),
                "SELECT expires_at - CAST(strftime('%s', 'now') AS INTEGER) AS left FROM sessions",
            ))
            .await
            .unwrap()
            .expect("the session is stored");
        row.try_get::<i64>("", "left").unwrap()
    };
    assert!(expires_in().await > 7 * DAY - 60);

    // Used within the day: nothing written, no new cookie.
    let (_, headers, body) = post_form(&app, "current_user", Some(&cookie), "").await;
    assert!(body.contains("amina@example.cm"), "{body}");
    assert!(headers.get(header::SET_COOKIE).is_none(), "{headers:?}");

    // Six days later (as if): one day left, last renewed six days ago.
    let six_days_on = format!(
        "UPDATE sessions SET expires_at = expires_at - {six}, \
         data = json_set(data, '$.data.renewed', json_extract(data, '$.data.renewed') - {six})",
        six = 6 * DAY
    );
    assert_eq!(
        t.db.execute_unprepared(&six_days_on)
            .await
            .unwrap()
            .rows_affected(),
        1
    );
    assert!(expires_in().await < DAY + 60);
    let (_, headers, body) = get(&app, "/claims", Some(&cookie)).await;
    assert!(body.contains("Amina"), "still logged in: {body}");
    let renewed = session_cookie(&headers);
    assert!(
        renewed.starts_with(&cookie) && renewed.contains("Max-Age=604800"),
        "the same session, its cookie sent again for 7 days: {renewed}"
    );
    assert!(
        expires_in().await > 7 * DAY - 60,
        "stored with 7 days ahead again"
    );
}

/// A request that read a session, then writes it back (a renewal, a kept form) after another
/// request logged out, does not bring it back.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_session_ended_meanwhile_stays_ended() {
    use server::sessions::DbStore;
    use tower_sessions::{
        SessionStore,
        session::{Id, Record},
    };

    let t = TestDb::new(Backend::Sqlite).await;
    let store = DbStore::new(t.db.clone());
    let mut record = Record {
        id: Id::default(),
        data: [("actor".to_owned(), serde_json::json!({"user_id": 1}))].into(),
        expiry_date: tower_sessions::cookie::time::OffsetDateTime::now_utc()
            + tower_sessions::cookie::time::Duration::days(7),
    };
    store.create(&mut record).await.unwrap();
    let read = store.load(&record.id).await.unwrap().expect("stored");

    store.delete(&record.id).await.unwrap();
    store.save(&read).await.unwrap();
    assert!(store.load(&record.id).await.unwrap().is_none());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_client_is_refused_the_business_dashboard() {
    let t = TestDb::new(Backend::Sqlite).await;
    let app = app_for(&t.url, None).await;
    let cookie = register_client(&app).await;

    let (status, _, body) = post_form(&app, "my_business", Some(&cookie), "").await;
    assert_eq!(
        (status, body.as_str()),
        (StatusCode::FORBIDDEN, r#""Forbidden""#)
    );
    let (status, _, body) = get(&app, "/business", Some(&cookie)).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert!(body.contains("This page is not available with your account."));

    let (status, headers, _) = get(&app, "/business", None).await;
    assert_eq!(
        status,
        StatusCode::FOUND,
        "anonymous visitors are sent to log in"
    );
    assert_eq!(headers[header::LOCATION], "/login?next=%2Fbusiness");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn photos_are_served_with_content_hashed_urls_and_long_cache_headers() {
    use app::domain::images;

    let t = TestDb::new(Backend::Sqlite).await;
    let app = app_for(&t.url, None).await;
    // An 8 × 8 PNG, made here: the route serves whatever the store holds, re-encoded.
    let png = {
        let mut bytes = std::io::Cursor::new(Vec::new());
        image::RgbImage::from_pixel(8, 8, image::Rgb([200, 120, 40]))
            .write_to(&mut bytes, image::ImageFormat::Png)
            .unwrap();
        bytes.into_inner()
    };
    let photo = images::process(&png).unwrap();
    images::save(&t.db, &photo, Utc::now()).await.unwrap();

    let (status, headers, _) = get(&app, &images::url(&photo.thumbnail.key), None).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(headers[header::CONTENT_TYPE], "image/jpeg");
    assert_eq!(
        headers[header::CACHE_CONTROL],
        "public, max-age=31536000, immutable"
    );

    let unknown = format!("/images/{}.jpg", "0".repeat(64));
    for path in [
        unknown.as_str(),
        "/images/not-a-key.jpg",
        "/images/../Cargo.toml",
    ] {
        let (status, _, _) = get(&app, path, None).await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{path}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn switching_language_while_logged_in_changes_the_language_of_emails() {
    let t = TestDb::new(Backend::Sqlite).await;
    let app = app_for(&t.url, None).await;
    let language = || async {
        use sea_orm::EntityTrait;
        let users = entity::user::Entity::find().all(&t.db).await.unwrap();
        users[0].language
    };
    let cookie = register_client(&app).await;
    assert_eq!(language().await, entity::codes::Language::En);

    // The EN | FR links, with or without JavaScript.
    let (status, _, _) = get(&app, "/lang/fr", Some(&cookie)).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    assert_eq!(language().await, entity::codes::Language::Fr);
    let (status, _, _) = get(&app, "/lang/en", Some(&cookie)).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    assert_eq!(language().await, entity::codes::Language::En);

    // A visitor switches the page only.
    let (status, _, _) = get(&app, "/lang/fr", None).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    assert_eq!(language().await, entity::codes::Language::En);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn testing_which_emails_have_accounts_is_cut_short() {
    let t = TestDb::new(Backend::Sqlite).await;
    let app = app_for(&t.url, None).await;
    let (status, _, _) = post_form(&app, "register", None, REGISTER_CLIENT).await;
    assert_eq!(status, StatusCode::OK);

    // Ten refusals for a taken email from one address, then no more answers for a while.
    for _ in 0..10 {
        let (status, _, body) = post_form(&app, "register", None, REGISTER_CLIENT).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
        assert!(body.contains(r#""problem":"email_taken""#), "{body}");
    }
    let (status, _, body) = post_form(&app, "register", None, REGISTER_CLIENT).await;
    assert_eq!(status, StatusCode::TOO_MANY_REQUESTS, "{body}");
    let other = REGISTER_CLIENT.replace("amina%40", "paul%40");
    let (status, _, _) = post_form(&app, "register", None, &other).await;
    assert_eq!(status, StatusCode::TOO_MANY_REQUESTS);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_request_too_large_to_read_is_refused_and_a_form_goes_back_with_the_reason() {
    let t = TestDb::new(Backend::Sqlite).await;
    let app = app_for(&t.url, None).await;
    let oversized = |accept: &str| {
        Request::post("/api/create_listing")
            .header(header::CONTENT_TYPE, "multipart/form-data; boundary=x")
            .header(header::CONTENT_LENGTH, 20 * 1024 * 1024)
            .header(header::ACCEPT, accept)
            .header(header::HOST, "localhost:3000")
            .header(header::REFERER, "http://localhost:3000/listings/new")
            .body(Body::from("--x--"))
            .unwrap()
    };

    // A form posted without JavaScript: back to the form, with the reason for the photo.
    let (status, headers, _) = send(&app, oversized("text/html,application/xhtml+xml")).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let location = headers[header::LOCATION].to_str().unwrap();
    assert!(location.starts_with("/listings/new?"), "{location}");
    assert!(
        location.contains("__path=%2Fapi%2Fcreate_listing"),
        "{location}"
    );
    let err = location.split("__err=").nth(1).unwrap().replace("%3D", "=");
    assert_eq!(
        ServerFnUrlError::<AppError>::decode_err(&err),
        AppError::field(Field::Photo, Problem::photo_too_large())
    );

    // Anything else: 413.
    let (status, _, _) = send(&app, oversized("application/json")).await;
    assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_answer_carries_a_request_id_and_keeps_the_load_balancers() {
    let t = TestDb::new(Backend::Sqlite).await;
    let app = app_for(&t.url, None).await;
    let (_, first, _) = get(&app, "/healthz", None).await;
    let (_, second, _) = get(&app, "/healthz", None).await;
    let id = |headers: &axum::http::HeaderMap| headers["x-request-id"].to_str().unwrap().to_owned();
    assert_eq!(id(&first).len(), 36, "a UUID: {}", id(&first));
    assert_ne!(id(&first), id(&second));

    let request = Request::get("/healthz")
        .header("x-request-id", "lb-0a1b2c")
        .body(Body::empty())
        .unwrap();
    let (_, headers, _) = send(&app, request).await;
    assert_eq!(id(&headers), "lb-0a1b2c");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn metrics_count_requests_by_route_claims_won_and_lost_and_show_the_outbox_backlog() {
    let t = TestDb::new(Backend::Sqlite).await;
    let app = app_for(&t.url, None).await;
    let listing = add_listing(&t.db, Duration::hours(3)).await;
    let amina = register_client(&app).await;
    let paul = register_as(&app, REGISTER_PAUL).await;
    let form = format!("listing_id={listing}");
    let (won, _, _) = post_form(&app, "claim_listing", Some(&amina), &form).await;
    let (lost, _, _) = post_form(&app, "claim_listing", Some(&paul), &form).await;
    assert_eq!((won, lost), (StatusCode::OK, StatusCode::CONFLICT));
    get(&app, &format!("/listings/{listing}"), None).await;
    get(&app, "/no-such-page-7f3a", None).await;

    let (status, headers, body) = get(&app, "/metrics", None).await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        headers[header::CONTENT_TYPE]
            .to_str()
            .unwrap()
            .starts_with("text/plain")
    );
    let value = |series: &str| -> f64 {
        body.lines()
            .find_map(|line| line.strip_prefix(series)?.strip_prefix(' ')?.parse().ok())
            .unwrap_or_else(|| panic!("no {series} in:\n{body}"))
    };
    // Other tests of this file share the process's recorder: counters are at least ours.
    assert!(
        value(r#"http_requests_total{method="POST",route="/api/claim_listing",status="409"}"#)
            >= 1.0
    );
    assert!(
        value(r#"http_requests_total{method="GET",route="/listings/{id}",status="200"}"#) >= 1.0
    );
    assert!(value(r#"http_requests_total{method="GET",route="unmatched",status="404"}"#) >= 1.0);
    assert!(
        !body.contains("no-such-page-7f3a"),
        "an unknown path is not a label"
    );
    assert!(body.contains(r#"http_request_duration_seconds_bucket{method="POST",route="/api/register",status="200",le="0.5"}"#));
    assert!(value(r#"foodbridge_claims_total{outcome="won"}"#) >= 1.0);
    assert!(value(r#"foodbridge_claims_total{outcome="lost"}"#) >= 1.0);
    // Gauges are read at the scrape, from this replica: the claim's two emails wait (this
    // replica runs no outbox worker), no stream is open.
    assert_eq!(value("foodbridge_outbox_backlog_emails"), 2.0);
    assert!(value("foodbridge_outbox_oldest_age_seconds") >= 0.0);
    assert_eq!(value("foodbridge_event_streams_open"), 0.0);
    assert!(value(r#"foodbridge_db_pool_connections{state="idle"}"#) >= 0.0);
}

/// A page with the time its LiveWatch island was rendered at taken out, and that time.
fn without_time(page: &str) -> (String, i64) {
    let at = page
        .find("&quot;checked_at&quot;:")
        .expect("a LiveWatch island")
        + 23;
    let end = at + page[at..].find(|c: char| !c.is_ascii_digit()).unwrap();
    (
        format!("{}{}", &page[..at], &page[end..]),
        page[at..end].parse().unwrap(),
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_browse_page_is_rendered_once_and_served_to_each_viewer_with_their_own_header() {
    let t = TestDb::new(Backend::Sqlite).await;
    let app = app_for(&t.url, None).await;
    let listing = add_listing(&t.db, Duration::hours(3)).await;
    let amina = register_client(&app).await;
    let paul = register_as(&app, REGISTER_PAUL).await;
    let card = format!("/listings/{listing}\"");
    // A page, and whether it came from the cache.
    let browse = |cookie: Option<String>| {
        let app = app.clone();
        async move {
            let (status, headers, page) = get(&app, "/browse", cookie.as_deref()).await;
            assert_eq!(status, StatusCode::OK, "{page}");
            (headers["x-cache"].to_str().unwrap().to_owned(), page)
        }
    };

    // Amina's page rendered, then the kept one: the same page but for its time, which is this
    // request's. (The listing's minutes left ticking over between two reads makes a new page,
    // rendered and kept in turn: then the next read is the kept one.)
    let (cache, mut rendered) = browse(Some(amina.clone())).await;
    assert_eq!(cache, "miss");
    assert!(rendered.contains(">Amina<") && rendered.contains(&card));
    let mut served_kept = false;
    for _ in 0..3 {
        let before = Utc::now().timestamp_millis();
        let (cache, again) = browse(Some(amina.clone())).await;
        if cache == "hit" {
            let ((rendered, _), (again, checked_at)) =
                (without_time(&rendered), without_time(&again));
            assert_eq!(again, rendered, "the same page but for its time");
            assert!(
                checked_at >= before,
                "the time of this request, not the render's"
            );
            served_kept = true;
            break;
        }
        rendered = again;
    }
    assert!(served_kept, "Amina's page was never the kept one");

    // Paul and a visitor get their own header: rendered once for them, then from the page.
    for (viewer, own) in [(Some(paul.clone()), ">Paul<"), (None, "href=\"/login\"")] {
        let mut caches = vec![];
        for _ in 0..4 {
            let (cache, page) = browse(viewer.clone()).await;
            assert!(page.contains(own) && page.contains(&card), "{own}");
            assert!(!page.contains(">Amina<"), "{own} was given Amina's header");
            caches.push(cache);
        }
        assert_eq!(caches[0], "miss", "{own}");
        assert!(
            caches.iter().any(|cache| cache == "hit"),
            "{own}: {caches:?}"
        );
    }
    // Another language, another page.
    let (cache, page) = browse(Some(format!("{amina}; i18n_pref_locale=fr"))).await;
    assert_eq!(cache, "miss");
    assert!(page.contains(r#"<html lang="fr""#));

    // Claimed: never the kept page again.
    let (status, _, body) = post_form(
        &app,
        "claim_listing",
        Some(&amina),
        &format!("listing_id={listing}"),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let (cache, page) = browse(Some(paul)).await;
    assert_eq!(cache, "miss");
    assert!(
        !page.contains(&card),
        "a claimed listing offered from the cache"
    );
}
