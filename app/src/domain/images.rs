//! Listing photos: checked by their content, decoded within bounds, re-encoded without any
//! metadata (no GPS position from EXIF), stored as a display image and a thumbnail.

use std::io::Cursor;

use ::image::{
    DynamicImage, ImageDecoder, ImageError, ImageFormat, ImageReader, Limits, Rgb, RgbImage,
    codecs::jpeg::JpegEncoder, imageops::FilterType, metadata::Orientation,
};
use chrono::{DateTime, Utc};
use entity::image;
use sea_orm::{ActiveValue::Set, ConnectionTrait, DbErr, EntityTrait};
use sha2::{Digest, Sha256};

use crate::{dto::ImageRef, error::Problem};

pub use crate::limits::MAX_UPLOAD_BYTES;

/// Largest side of an image we agree to decode: more than any phone camera, far less than a
/// decompression bomb.
pub const MAX_SIDE: u32 = 12_000;
/// Memory the decoder may allocate.
const MAX_DECODE_BYTES: u64 = 512 * 1024 * 1024;
/// The display image fits in this square...
pub const DISPLAY_SIDE: u32 = 1280;
/// ... and the thumbnail in this one.
pub const THUMB_SIDE: u32 = 400;
/// Thumbnails aim for this size on slow connections.
pub const THUMB_TARGET_BYTES: usize = 25 * 1024;
const DISPLAY_QUALITY: u8 = 80;
const THUMB_QUALITIES: [u8; 4] = [75, 65, 55, 45];

/// One encoded JPEG, ready to store.
#[derive(Clone)]
pub struct Encoded {
    pub key: String,
    pub bytes: Vec<u8>,
    pub width: u32,
    pub height: u32,
}

impl std::fmt::Debug for Encoded {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "Encoded({}x{}, {} bytes, {})",
            self.width,
            self.height,
            self.bytes.len(),
            self.key
        )
    }
}

impl Encoded {
    fn jpeg(image: &RgbImage, quality: u8) -> Result<Self, Problem> {
        let mut bytes = Vec::new();
        JpegEncoder::new_with_quality(&mut bytes, quality)
            .encode_image(image)
            .map_err(|e| {
                tracing::error!(error = %e, "JPEG encoding failed");
                Problem::PhotoDamaged
            })?;
        Ok(Encoded {
            key: format!("{:x}", Sha256::digest(&bytes)),
            bytes,
            width: image.width(),
            height: image.height(),
        })
    }

    pub fn image_ref(&self) -> ImageRef {
        ImageRef {
            url: url(&self.key),
            width: self.width,
            height: self.height,
        }
    }
}

/// A photo ready to store: what the detail page shows and what the cards show.
#[derive(Debug, Clone)]
pub struct Photo {
    pub display: Encoded,
    pub thumbnail: Encoded,
}

/// Where an image is served (see the server's `/images/{key}` route).
pub fn url(key: &str) -> String {
    format!("/images/{key}.jpg")
}

/// Checks an upload and makes its display image and thumbnail. CPU-heavy: call it on the
/// blocking pool ([`process_blocking`]).
pub fn process(upload: &[u8]) -> Result<Photo, Problem> {
    if upload.len() > MAX_UPLOAD_BYTES {
        return Err(Problem::photo_too_large());
    }
    let mut reader = ImageReader::new(Cursor::new(upload))
        .with_guessed_format()
        .map_err(|_| Problem::NotAPhoto)?;
    match reader.format() {
        Some(ImageFormat::Jpeg) if !jpeg_is_complete(upload) => return Err(Problem::PhotoDamaged),
        Some(ImageFormat::Jpeg | ImageFormat::Png | ImageFormat::WebP) => {}
        _ => return Err(Problem::NotAPhoto),
    }

    let mut limits = Limits::default();
    limits.max_image_width = Some(MAX_SIDE);
    limits.max_image_height = Some(MAX_SIDE);
    limits.max_alloc = Some(MAX_DECODE_BYTES);
    reader.limits(limits);

    let mut decoder = reader.into_decoder().map_err(decode_problem)?;
    let orientation = decoder.orientation().unwrap_or(Orientation::NoTransforms);
    let mut image = DynamicImage::from_decoder(decoder).map_err(decode_problem)?;
    // Phones store "rotate me" in EXIF; apply it now, since the metadata will not survive.
    image.apply_orientation(orientation);
    let image = on_white(image);

    let display = fit(&image, DISPLAY_SIDE);
    let thumbnail = fit(&display, THUMB_SIDE);
    let display = Encoded::jpeg(&display, DISPLAY_QUALITY)?;
    let mut thumb = None;
    for quality in THUMB_QUALITIES {
        let encoded = Encoded::jpeg(&thumbnail, quality)?;
        let small_enough = encoded.bytes.len() <= THUMB_TARGET_BYTES;
        thumb = Some(encoded);
        if small_enough {
            break;
        }
    }
    let thumbnail = thumb.ok_or(Problem::PhotoDamaged)?;
    Ok(Photo { display, thumbnail })
}

/// [`process`] on the blocking pool, so decoding never stalls the async runtime.
pub async fn process_blocking(
    upload: Vec<u8>,
) -> crate::domain::error::DomainResult<Result<Photo, Problem>> {
    tokio::task::spawn_blocking(move || process(&upload))
        .await
        .map_err(|e| crate::domain::error::DomainError::internal("image processing failed", e))
}

/// The JPEG decoder shows a cut-off upload as a photo with a grey lower part. A complete JPEG
/// has its end marker (FF D9) after the start of its last scan (FF DA); the scan data itself
/// can never contain FF D9, so this cannot be fooled by the pixels.
fn jpeg_is_complete(bytes: &[u8]) -> bool {
    let last = |marker: [u8; 2]| bytes.windows(2).rposition(|pair| pair == marker);
    matches!((last([0xff, 0xda]), last([0xff, 0xd9])), (Some(scan), Some(end)) if end > scan)
}

fn decode_problem(error: ImageError) -> Problem {
    match error {
        ImageError::Limits(_) => Problem::PhotoTooManyPixels { max_side: MAX_SIDE },
        ImageError::Unsupported(_) => Problem::NotAPhoto,
        _ => Problem::PhotoDamaged,
    }
}

/// JPEG has no transparency: transparent parts of a PNG or WebP become white, not black.
fn on_white(image: DynamicImage) -> RgbImage {
    if !image.color().has_alpha() {
        return image.into_rgb8();
    }
    let rgba = image.into_rgba8();
    RgbImage::from_fn(rgba.width(), rgba.height(), |x, y| {
        let [r, g, b, a] = rgba.get_pixel(x, y).0;
        let over_white =
            |c: u8| ((u16::from(c) * u16::from(a) + 255 * (255 - u16::from(a))) / 255) as u8;
        Rgb([over_white(r), over_white(g), over_white(b)])
    })
}

/// Shrinks to fit in a `side` × `side` square, keeping the proportions; never enlarges.
fn fit(image: &RgbImage, side: u32) -> RgbImage {
    if image.width() <= side && image.height() <= side {
        return image.clone();
    }
    DynamicImage::ImageRgb8(image.clone())
        .resize(side, side, FilterType::Triangle)
        .into_rgb8()
}

/// Stores both images of a photo (an image already stored under the same key is kept).
pub async fn save(
    db: &impl ConnectionTrait,
    photo: &Photo,
    now: DateTime<Utc>,
) -> Result<(), DbErr> {
    for encoded in [&photo.display, &photo.thumbnail] {
        image::Entity::insert(image::ActiveModel {
            key: Set(encoded.key.clone()),
            content_type: Set("image/jpeg".to_owned()),
            width: Set(encoded.width as i32),
            height: Set(encoded.height as i32),
            bytes: Set(encoded.bytes.clone()),
            created_at: Set(now),
        })
        .on_conflict_do_nothing_on([image::Column::Key])
        .exec(db)
        .await?;
    }
    Ok(())
}

/// An image by key, for serving.
pub async fn load(db: &impl ConnectionTrait, key: &str) -> Result<Option<image::Model>, DbErr> {
    image::Entity::find_by_id(key.to_owned()).one(db).await
}
