//! Every server function, sent what a broken or hostile client sends, answers with a 4xx and
//! never a 5xx (a 5xx pages an operator) or a dropped connection. The endpoint table must name
//! every registered server function: a new one fails this test until it is added.

mod common;

use app::error::AppError;
use leptos::server_fn::{axum::server_fn_paths, error::ServerFnUrlError};
use reqwest::{StatusCode, header};
use server::startup;
use testkit::{Backend, TestDb};

/// Every server function, by endpoint name.
const ENDPOINTS: [&str; 20] = [
    "cancel_claim",
    "claim_listing",
    "create_listing",
    "current_user",
    "form_echo",
    "get_availability",
    "get_listing",
    "list_listings",
    "login",
    "logout",
    "my_business",
    "my_claim_on",
    "my_claims",
    "my_listings",
    "my_wait_status",
    "record_pickup",
    "register",
    "update_listing",
    "wait_for_listing",
    "withdraw_listing",
];

const FORM: &str = "application/x-www-form-urlencoded";

/// (what it is, content type, body)
fn bodies() -> Vec<(&'static str, Option<&'static str>, Vec<u8>)> {
    let long = format!(
        "display_name={}&email={}",
        "a".repeat(200_000),
        "b".repeat(70_000)
    );
    vec![
        ("empty, no content type", None, vec![]),
        ("empty form", Some(FORM), vec![]),
        (
            "every argument malformed",
            Some(FORM),
            b"listing_id=abc&role=admin&language=xx&sort=zzz&category=qq&after=%%%".to_vec(),
        ),
        ("a number out of range", Some(FORM), b"listing_id=99999999999999999999".to_vec()),
        ("JSON where a form is expected", Some("application/json"), br#"{"listing_id": 1}"#.to_vec()),
        ("not UTF-8", Some(FORM), b"email=\xff\xfe&password=\xc3\x28&listing_id=\xff".to_vec()),
        ("percent-encoded junk", Some(FORM), b"email=%FF%FE&listing_id=%00".to_vec()),
        ("plain text", Some("text/plain"), b"hello".to_vec()),
        ("multipart without a boundary", Some("multipart/form-data"), b"--x\r\n".to_vec()),
        (
            "broken multipart",
            Some("multipart/form-data; boundary=XYZ"),
            b"--XYZ\r\nContent-Disposition: form-data; name=\"item_name\"\r\n\r\nPain".to_vec(),
        ),
        (
            "multipart text that is not UTF-8",
            Some("multipart/form-data; boundary=XYZ"),
            b"--XYZ\r\nContent-Disposition: form-data; name=\"item_name\"\r\n\r\n\xff\xfe\r\n--XYZ--\r\n".to_vec(),
        ),
        ("over-long fields", Some(FORM), long.into_bytes()),
    ]
}

/// A replica on a database of its own (kept alive by the returned handle), and its URL.
async fn replica() -> (TestDb, String) {
    let t = TestDb::new(Backend::Sqlite).await;
    let app = startup::app(&common::config(&["--database-url", &t.url]))
        .await
        .expect("replica starts");
    let base = common::listen(app).await;
    (t, base)
}

#[test]
fn the_table_names_every_server_function() {
    let mut registered: Vec<String> = server_fn_paths()
        .map(|(path, _)| path.trim_start_matches("/api/").to_owned())
        .collect();
    registered.sort();
    assert_eq!(registered, ENDPOINTS, "add new endpoints to ENDPOINTS");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn malformed_requests_get_a_4xx_from_every_endpoint() {
    let (_db, base) = replica().await;
    let client = common::register(&base, "client", "amina@example.cm").await;
    let business = common::register(&base, "business", "bakery@example.cm").await;
    // A fresh connection for each request: a refused body that was never read (an oversized
    // one, say) ends its connection after the answer, and a pooled connection could be reused
    // in that instant ("error sending request", seen once in 720), which is the client's race,
    // not a dropped answer.
    let http = reqwest::Client::builder()
        .timeout(std::time::Duration::from_secs(30))
        .pool_max_idle_per_host(0)
        .build()
        .unwrap();

    let mut failures = Vec::new();
    let mut answers = 0;
    for endpoint in ENDPOINTS {
        for (who, cookie) in [
            ("visitor", None),
            ("client", Some(&client)),
            ("business", Some(&business)),
        ] {
            for (what, content_type, body) in bodies() {
                let mut request = http
                    .post(format!("{base}/api/{endpoint}"))
                    .header(header::ACCEPT, "application/json")
                    .body(body);
                if let Some(content_type) = content_type {
                    request = request.header(header::CONTENT_TYPE, content_type);
                }
                if let Some(cookie) = cookie {
                    request = request.header(header::COOKIE, cookie.as_str());
                }
                match request.send().await {
                    Ok(response) if response.status().is_server_error() => failures.push(format!(
                        "{endpoint} as {who}, {what}: {} {}",
                        response.status(),
                        response.text().await.unwrap_or_default()
                    )),
                    Ok(_) => answers += 1,
                    Err(e) => {
                        failures.push(format!("{endpoint} as {who}, {what}: no answer ({e})"))
                    }
                }
            }
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} requests failed:\n{}",
        failures.len(),
        answers + failures.len(),
        failures.join("\n")
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_bad_argument_is_a_400_that_names_it() {
    let (_db, base) = replica().await;
    let client = common::register(&base, "client", "amina@example.cm").await;

    let (status, _, body) = common::call(
        &base,
        "claim_listing",
        Some(&client),
        &[("listing_id", "abc")],
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    assert!(
        body.contains("BadRequest") && body.contains("listing_id"),
        "{body}"
    );

    let (status, _, body) = common::call(&base, "claim_listing", Some(&client), &[]).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    assert!(body.contains("listing_id"), "{body}");

    let (status, _, body) = common::call(
        &base,
        "register",
        None,
        &[
            ("role", "admin"),
            ("display_name", "X"),
            ("email", "x@example.cm"),
            ("phone", "677123456"),
            ("password", "banane-douce-77"),
        ],
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    assert!(body.contains("admin"), "{body}");

    // Without JavaScript the same mistake goes back to the page, with the error in its address.
    let response = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
        .post(format!("{base}/api/claim_listing"))
        .header(header::ACCEPT, "text/html")
        .header(header::REFERER, format!("{base}/listings/1"))
        .header(header::COOKIE, client.as_str())
        .header(header::CONTENT_TYPE, FORM)
        .body("listing_id=abc")
        .send()
        .await
        .unwrap();
    assert!(response.status().is_redirection(), "{}", response.status());
    let location = response.headers()[header::LOCATION].to_str().unwrap();
    assert!(location.contains("/listings/1"), "{location}");
    let err = location.split("__err=").nth(1).unwrap().replace("%3D", "=");
    assert!(
        matches!(
            ServerFnUrlError::<AppError>::decode_err(&err),
            AppError::BadRequest(reason) if reason.contains("listing_id")
        ),
        "{location}"
    );
}
