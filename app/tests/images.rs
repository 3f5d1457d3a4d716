//! Photos are judged by their content, bounded, and re-encoded without metadata.

mod common;

use app::{
    domain::error::DomainError,
    domain::{
        events::RecordedEvents,
        images::{self, MAX_SIDE, MAX_UPLOAD_BYTES},
        listings,
    },
    dto::Role,
    error::{Field, Problem},
};
use chrono::Utc;
use image::{ImageDecoder, ImageFormat, ImageReader};
use sea_orm::{EntityTrait, PaginatorTrait};
use testkit::TestDb;

/// A PNG whose header declares `side` × `side` pixels, with almost no data behind it.
fn png_declaring(side: u32) -> Vec<u8> {
    fn chunk(kind: &[u8], data: &[u8]) -> Vec<u8> {
        let mut out = (data.len() as u32).to_be_bytes().to_vec();
        out.extend_from_slice(kind);
        out.extend_from_slice(data);
        let mut crc_input = kind.to_vec();
        crc_input.extend_from_slice(data);
        out.extend_from_slice(&crc32(&crc_input).to_be_bytes());
        out
    }
    let mut ihdr = side.to_be_bytes().to_vec();
    ihdr.extend_from_slice(&side.to_be_bytes());
    ihdr.extend_from_slice(&[8, 2, 0, 0, 0]); // 8-bit RGB
    let mut png = b"\x89PNG\r\n\x1a\n".to_vec();
    png.extend(chunk(b"IHDR", &ihdr));
    png.extend(chunk(
        b"IDAT",
        &[0x78, 0x9c, 0x03, 0x00, 0x00, 0x00, 0x00, 0x01],
    ));
    png.extend(chunk(b"IEND", &[]));
    png
}

fn crc32(bytes: &[u8]) -> u32 {
    let mut crc = 0xffff_ffffu32;
    for &b in bytes {
        crc ^= u32::from(b);
        for _ in 0..8 {
            crc = if crc & 1 == 1 {
                (crc >> 1) ^ 0xedb8_8320
            } else {
                crc >> 1
            };
        }
    }
    !crc
}

/// A JPEG carrying an EXIF block with a GPS position (latitude 4°3' N: Douala).
fn jpeg_with_gps() -> Vec<u8> {
    let mut tiff = b"II\x2a\x00\x08\x00\x00\x00".to_vec();
    // IFD0: one entry, GPSInfo -> the GPS IFD at offset 26.
    tiff.extend_from_slice(&1u16.to_le_bytes());
    tiff.extend_from_slice(&[0x25, 0x88, 4, 0, 1, 0, 0, 0, 26, 0, 0, 0]);
    tiff.extend_from_slice(&0u32.to_le_bytes());
    // GPS IFD: GPSLatitudeRef = "N", GPSLatitude = 4/1, 3/1, 0/1 (rationals at offset 56).
    tiff.extend_from_slice(&2u16.to_le_bytes());
    tiff.extend_from_slice(&[0x01, 0x00, 2, 0, 2, 0, 0, 0, b'N', 0, 0, 0]);
    tiff.extend_from_slice(&[0x02, 0x00, 5, 0, 3, 0, 0, 0, 56, 0, 0, 0]);
    tiff.extend_from_slice(&0u32.to_le_bytes());
    for (num, den) in [(4u32, 1u32), (3, 1), (0, 1)] {
        tiff.extend_from_slice(&num.to_le_bytes());
        tiff.extend_from_slice(&den.to_le_bytes());
    }
    let mut app1 = b"Exif\x00\x00".to_vec();
    app1.extend(tiff);
    let jpeg = common::jpeg(640, 480);
    let mut out = jpeg[..2].to_vec(); // SOI
    out.extend_from_slice(&[0xff, 0xe1]);
    out.extend_from_slice(&((app1.len() + 2) as u16).to_be_bytes());
    out.extend(app1);
    out.extend_from_slice(&jpeg[2..]);
    out
}

fn exif_of(jpeg: &[u8]) -> Option<Vec<u8>> {
    let reader = ImageReader::with_format(std::io::Cursor::new(jpeg), ImageFormat::Jpeg);
    reader.into_decoder().unwrap().exif_metadata().unwrap()
}

#[test]
fn a_jpeg_with_a_gps_position_comes_out_without_it() {
    let upload = jpeg_with_gps();
    assert!(
        exif_of(&upload).is_some_and(|exif| exif.windows(2).any(|w| w == [0x25, 0x88])),
        "the fixture carries GPS"
    );

    let photo = images::process(&upload).unwrap();
    for encoded in [&photo.display, &photo.thumbnail] {
        assert_eq!(exif_of(&encoded.bytes), None, "EXIF survived re-encoding");
        assert!(!encoded.bytes.windows(4).any(|w| w == b"Exif"));
    }
}

#[test]
fn photos_are_resized_for_display_and_for_cards() {
    let photo = images::process(&common::jpeg(4000, 3000)).unwrap();
    assert_eq!((photo.display.width, photo.display.height), (1280, 960));
    assert_eq!((photo.thumbnail.width, photo.thumbnail.height), (400, 300));
    assert!(
        photo.thumbnail.bytes.len() <= images::THUMB_TARGET_BYTES,
        "thumbnail is {} bytes",
        photo.thumbnail.bytes.len()
    );
    assert_eq!(photo.display.key.len(), 64, "content hash");

    let small = images::process(&common::jpeg(300, 200)).unwrap();
    assert_eq!(
        (small.display.width, small.display.height),
        (300, 200),
        "never enlarged"
    );
}

#[test]
fn png_and_webp_are_photos_too() {
    let picture = common::picture(500, 500);
    for format in [ImageFormat::Png, ImageFormat::WebP] {
        let photo = images::process(&common::encode(&picture, format))
            .unwrap_or_else(|e| panic!("{format:?}: {e:?}"));
        assert_eq!(photo.thumbnail.width, 400, "{format:?}");
    }
}

#[test]
fn bad_uploads_are_refused_for_what_they_are() {
    let text_named_jpg = b"these are my shopping notes, not a photo".to_vec();
    let mut truncated = common::jpeg(1200, 900);
    truncated.truncate(truncated.len() / 3);
    let bomb = png_declaring(50_000);
    let huge = vec![0xffu8; 20 * 1024 * 1024];

    assert_eq!(
        images::process(&text_named_jpg).unwrap_err(),
        Problem::NotAPhoto
    );
    assert_eq!(
        images::process(&truncated).unwrap_err(),
        Problem::PhotoDamaged
    );
    assert_eq!(
        images::process(&bomb).unwrap_err(),
        Problem::PhotoTooManyPixels { max_side: MAX_SIDE }
    );
    assert_eq!(
        images::process(&huge).unwrap_err(),
        Problem::PhotoTooLarge {
            max_mb: (MAX_UPLOAD_BYTES >> 20) as u32
        }
    );
}

#[tokio::test]
async fn a_refused_photo_stores_nothing() {
    for t in TestDb::each().await {
        let business = common::user(&t.db, Role::Business, "bakery@example.cm").await;
        let events = RecordedEvents::default();
        let now = Utc::now();
        for upload in [b"not a photo".to_vec(), png_declaring(50_000)] {
            let photo = Some(images::process(&upload));
            let result =
                listings::create(&t.db, &events, business, &common::form(now, 3), photo, now).await;
            match result {
                Err(DomainError::Invalid(errors)) => assert_eq!(errors.len(), 1, "{errors:?}"),
                other => panic!("{}: {other:?}", t.backend),
            }
        }
        let missing =
            listings::create(&t.db, &events, business, &common::form(now, 3), None, now).await;
        assert_eq!(
            missing.unwrap_err().problem(Field::Photo),
            Some(&Problem::Required)
        );

        assert_eq!(
            entity::image::Entity::find().count(&t.db).await.unwrap(),
            0,
            "{}",
            t.backend
        );
        assert_eq!(
            entity::listing::Entity::find().count(&t.db).await.unwrap(),
            0,
            "{}",
            t.backend
        );
        assert!(events.take().is_empty());
    }
}
