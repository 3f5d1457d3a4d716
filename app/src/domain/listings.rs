//! Listings: who may post, edit and withdraw them, what a valid one is, and how clients browse
//! what is available.

use std::collections::HashMap;

use chrono::{DateTime, Duration, NaiveDateTime, TimeZone, Utc};
use entity::{claim, image, listing, user};
use sea_orm::{
    ActiveModelTrait,
    ActiveValue::Set,
    ColumnTrait, Condition, ConnectionTrait, DbErr, EntityTrait, FromQueryResult, JoinType, Order,
    PaginatorTrait, QueryFilter, QueryOrder, QuerySelect, RelationTrait, TransactionSession,
    TransactionTrait,
    sea_query::{Expr, ExprTrait, Func, LikeExpr},
};

use crate::{
    domain::{
        accounts::Actor,
        claims,
        events::{DomainEvent, EventSink},
        images::{self, Photo},
        validate,
    },
    dto::{
        Category, Claimant, DietaryTag, ImageRef, ListingCard, ListingDetail, ListingState,
        OwnListing, Page, Role, Sort, Unit, site_offset,
    },
    error::{AppError, Field, FieldError, Problem},
    limits::{DESCRIPTION_MAX, ITEM_NAME_MAX, MAX_DAYS_AHEAD, QUANTITY_MAX, SEARCH_MAX},
};

pub const STATUS_AVAILABLE: &str = "available";
pub const STATUS_WITHDRAWN: &str = "withdrawn";

/// The listing form as posted: every value still text.
#[derive(Debug, Clone, Default)]
pub struct ListingForm {
    pub item_name: String,
    pub quantity: String,
    pub unit: String,
    pub category: String,
    pub dietary_tags: Vec<String>,
    pub description: String,
    /// `2026-11-22T18:00` in site time, or empty.
    pub pickup_from: String,
    /// `2026-11-22T21:00` in site time.
    pub available_until: String,
}

/// A listing form that passed every rule.
#[derive(Debug, Clone, PartialEq)]
pub struct ValidListing {
    pub item_name: String,
    pub quantity: f64,
    pub unit: Unit,
    pub category: Category,
    pub dietary_tags: Vec<DietaryTag>,
    pub description: String,
    pub pickup_from: Option<DateTime<Utc>>,
    pub available_until: DateTime<Utc>,
}

/// What clients want to see.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct BrowseQuery {
    pub sort: Option<Sort>,
    pub search: Option<String>,
    pub category: Option<Category>,
    /// The cursor of the page to show (from the previous page's `next`).
    pub after: Option<String>,
}

/// Checks every field at once; `photo` is the outcome of processing the upload, when the form
/// carried one.
pub fn validate(
    form: &ListingForm,
    photo: Option<&Problem>,
    now: DateTime<Utc>,
) -> Result<ValidListing, AppError> {
    let mut errors = Vec::new();
    let mut check = |field: Field, problem: Option<Problem>| {
        if let Some(problem) = problem {
            errors.push(FieldError { field, problem });
        }
    };

    let item_name = validate::text(&form.item_name, ITEM_NAME_MAX);
    let quantity = parse_quantity(&form.quantity);
    let unit = choice(&form.unit, Unit::parse);
    let category = choice(&form.category, Category::parse);
    let dietary_tags: Result<Vec<DietaryTag>, Problem> = form
        .dietary_tags
        .iter()
        .map(|t| DietaryTag::parse(t).ok_or(Problem::NotAChoice))
        .collect();
    let description = form.description.trim().to_owned();
    let description_too_long = description.chars().count() > DESCRIPTION_MAX;
    let available_until = parse_site_time(&form.available_until).and_then(|until| {
        if until <= now {
            Err(Problem::InThePast)
        } else if until > now + Duration::days(MAX_DAYS_AHEAD.into()) {
            Err(Problem::TooFarAhead {
                days: MAX_DAYS_AHEAD,
            })
        } else {
            Ok(until)
        }
    });
    let pickup_from = match form.pickup_from.trim() {
        "" => Ok(None),
        text => parse_site_time(text).and_then(|from| match &available_until {
            Ok(until) if from >= *until => Err(Problem::PickupAfterDeadline),
            _ => Ok(Some(from)),
        }),
    };

    check(Field::ItemName, item_name.as_ref().err().cloned());
    check(Field::Quantity, quantity.as_ref().err().cloned());
    check(Field::Unit, unit.as_ref().err().cloned());
    check(Field::Category, category.as_ref().err().cloned());
    check(Field::DietaryTags, dietary_tags.as_ref().err().cloned());
    check(
        Field::Description,
        description_too_long.then_some(Problem::TooLong {
            max: DESCRIPTION_MAX,
        }),
    );
    check(Field::PickupFrom, pickup_from.as_ref().err().cloned());
    check(
        Field::AvailableUntil,
        available_until.as_ref().err().cloned(),
    );
    check(Field::Photo, photo.cloned());

    match (
        item_name,
        quantity,
        unit,
        category,
        dietary_tags,
        pickup_from,
        available_until,
    ) {
        (
            Ok(item_name),
            Ok(quantity),
            Ok(unit),
            Ok(category),
            Ok(mut dietary_tags),
            Ok(pickup_from),
            Ok(available_until),
        ) if errors.is_empty() => {
            dietary_tags.sort_by_key(|t| t.as_str());
            dietary_tags.dedup();
            Ok(ValidListing {
                item_name,
                quantity,
                unit,
                category,
                dietary_tags,
                description,
                pickup_from,
                available_until,
            })
        }
        _ => Err(AppError::Validation(errors)),
    }
}

fn choice<T>(code: &str, parse: fn(&str) -> Option<T>) -> Result<T, Problem> {
    match code.trim() {
        "" => Err(Problem::Required),
        code => parse(code).ok_or(Problem::NotAChoice),
    }
}

/// `12`, `2.5` or `2,5` (the French decimal comma).
fn parse_quantity(text: &str) -> Result<f64, Problem> {
    let text = text.trim().replace(',', ".");
    if text.is_empty() {
        return Err(Problem::Required);
    }
    match text.parse::<f64>() {
        Ok(q) if q.is_finite() && q > 0.0 && q <= QUANTITY_MAX => Ok((q * 100.0).round() / 100.0),
        _ => Err(Problem::NotAQuantity),
    }
}

/// A `datetime-local` value, read in site time (West Africa Time).
fn parse_site_time(text: &str) -> Result<DateTime<Utc>, Problem> {
    let text = text.trim();
    if text.is_empty() {
        return Err(Problem::Required);
    }
    let naive = NaiveDateTime::parse_from_str(text, "%Y-%m-%dT%H:%M")
        .or_else(|_| NaiveDateTime::parse_from_str(text, "%Y-%m-%dT%H:%M:%S"))
        .map_err(|_| Problem::NotADateTime)?;
    site_offset()
        .from_local_datetime(&naive)
        .single()
        .map(|t| t.with_timezone(&Utc))
        .ok_or(Problem::NotADateTime)
}

/// Posts a listing with its photo. Businesses only. The photo and the listing are written in
/// one transaction: either both are stored or neither is.
pub async fn create(
    db: &(impl ConnectionTrait + TransactionTrait),
    events: &dyn EventSink,
    actor: Actor,
    form: &ListingForm,
    photo: Option<Result<Photo, Problem>>,
    now: DateTime<Utc>,
) -> Result<i64, AppError> {
    actor.require(Role::Business)?;
    let photo_problem = match &photo {
        None => Some(Problem::Required),
        Some(Err(problem)) => Some(problem.clone()),
        Some(Ok(_)) => None,
    };
    let valid = validate(form, photo_problem.as_ref(), now)?;
    let Some(Ok(photo)) = photo else {
        return Err(AppError::field(Field::Photo, Problem::Required));
    };

    let txn = db.begin().await?;
    images::save(&txn, &photo, now).await?;
    let mut row = new_row(&valid, now);
    row.business_id = Set(actor.user_id);
    row.image_key = Set(Some(photo.display.key.clone()));
    row.thumb_key = Set(Some(photo.thumbnail.key.clone()));
    row.status = Set(STATUS_AVAILABLE.to_owned());
    row.created_at = Set(now);
    let id = row.insert(&txn).await?.id;
    txn.commit().await?;

    events.publish(DomainEvent::ListingPosted {
        listing_id: id,
        business_id: actor.user_id,
    });
    Ok(id)
}

fn new_row(valid: &ValidListing, now: DateTime<Utc>) -> listing::ActiveModel {
    listing::ActiveModel {
        item_name: Set(valid.item_name.clone()),
        quantity: Set(valid.quantity),
        unit: Set(valid.unit.as_str().to_owned()),
        category: Set(valid.category.as_str().to_owned()),
        dietary_tags: Set(valid
            .dietary_tags
            .iter()
            .map(|t| t.as_str())
            .collect::<Vec<_>>()
            .join(",")),
        description: Set(valid.description.clone()),
        pickup_from: Set(valid.pickup_from),
        available_until: Set(valid.available_until),
        updated_at: Set(now),
        ..Default::default()
    }
}

/// Only the listing's own business may change it, and only while a client could still claim
/// it. A missing photo keeps the current one.
pub async fn update(
    db: &(impl ConnectionTrait + TransactionTrait),
    events: &dyn EventSink,
    actor: Actor,
    listing_id: i64,
    form: &ListingForm,
    photo: Option<Result<Photo, Problem>>,
    now: DateTime<Utc>,
) -> Result<(), AppError> {
    actor.require(Role::Business)?;
    owned_and_available(db, actor, listing_id, now).await?;
    let photo_problem = match &photo {
        Some(Err(problem)) => Some(problem.clone()),
        _ => None,
    };
    let valid = validate(form, photo_problem.as_ref(), now)?;

    let txn = db.begin().await?;
    let mut changes = new_row(&valid, now);
    if let Some(Ok(photo)) = &photo {
        images::save(&txn, photo, now).await?;
        changes.image_key = Set(Some(photo.display.key.clone()));
        changes.thumb_key = Set(Some(photo.thumbnail.key.clone()));
    }
    // Conditional: a claim (or expiry) that lands between the check above and here wins.
    let changed = listing::Entity::update_many()
        .set(changes)
        .filter(still_available(listing_id, actor, now))
        .exec(&txn)
        .await?
        .rows_affected;
    if changed != 1 {
        txn.rollback().await?;
        return Err(owned_and_available(db, actor, listing_id, now)
            .await
            .err()
            .unwrap_or(AppError::Internal));
    }
    txn.commit().await?;

    events.publish(DomainEvent::ListingUpdated {
        listing_id,
        business_id: actor.user_id,
    });
    Ok(())
}

/// Takes an available listing off the site. Its own business only.
pub async fn withdraw(
    db: &impl ConnectionTrait,
    events: &dyn EventSink,
    actor: Actor,
    listing_id: i64,
    now: DateTime<Utc>,
) -> Result<(), AppError> {
    actor.require(Role::Business)?;
    let changed = listing::Entity::update_many()
        .col_expr(listing::Column::Status, Expr::value(STATUS_WITHDRAWN))
        .col_expr(listing::Column::UpdatedAt, Expr::value(now))
        .filter(still_available(listing_id, actor, now))
        .exec(db)
        .await?
        .rows_affected;
    if changed != 1 {
        return Err(owned_and_available(db, actor, listing_id, now)
            .await
            .err()
            .unwrap_or(AppError::Internal));
    }
    events.publish(DomainEvent::ListingWithdrawn {
        listing_id,
        business_id: actor.user_id,
    });
    Ok(())
}

fn still_available(listing_id: i64, actor: Actor, now: DateTime<Utc>) -> Condition {
    Condition::all()
        .add(listing::Column::Id.eq(listing_id))
        .add(listing::Column::BusinessId.eq(actor.user_id))
        .add(listing::Column::Status.eq(STATUS_AVAILABLE))
        .add(listing::Column::AvailableUntil.gt(now))
}

/// Why `actor` may not change the listing, if they may not.
async fn owned_and_available(
    db: &impl ConnectionTrait,
    actor: Actor,
    listing_id: i64,
    now: DateTime<Utc>,
) -> Result<listing::Model, AppError> {
    let row = listing::Entity::find_by_id(listing_id)
        .one(db)
        .await?
        .ok_or(AppError::NotFound)?;
    if row.business_id != actor.user_id {
        return Err(AppError::Forbidden);
    }
    match state_of(&row.status, row.available_until, now) {
        ListingState::Available => Ok(row),
        state => Err(AppError::Unavailable { state }),
    }
}

/// Where a listing stands at `now`.
pub fn state_of(status: &str, available_until: DateTime<Utc>, now: DateTime<Utc>) -> ListingState {
    match status {
        STATUS_AVAILABLE if available_until <= now => ListingState::Expired,
        STATUS_AVAILABLE => ListingState::Available,
        STATUS_WITHDRAWN => ListingState::Withdrawn,
        _ => ListingState::Claimed,
    }
}

/// Listings a client could claim at `now`: available and not past their deadline.
pub async fn count_available(db: &impl ConnectionTrait, now: DateTime<Utc>) -> Result<u64, DbErr> {
    listing::Entity::find()
        .filter(listing::Column::Status.eq(STATUS_AVAILABLE))
        .filter(listing::Column::AvailableUntil.gt(now))
        .count(db)
        .await
}

#[derive(Debug, FromQueryResult)]
struct CardRow {
    id: i64,
    item_name: String,
    quantity: f64,
    unit: String,
    category: String,
    dietary_tags: String,
    available_until: DateTime<Utc>,
    created_at: DateTime<Utc>,
    thumb_key: Option<String>,
    business_name: String,
    pickup_location: Option<String>,
    thumb_width: Option<i32>,
    thumb_height: Option<i32>,
}

/// One page of what clients can claim now, newest first or ending soonest. Keyset
/// pagination: a page costs the same however deep it is, and a listing posted while someone
/// pages never shows twice.
pub async fn browse(
    db: &impl ConnectionTrait,
    query: &BrowseQuery,
    now: DateTime<Utc>,
    page_size: u64,
) -> Result<Page<ListingCard>, AppError> {
    let sort = query.sort.unwrap_or(Sort::Newest);
    let (key_column, order) = match sort {
        Sort::Newest => (listing::Column::CreatedAt, Order::Desc),
        Sort::EndingSoon => (listing::Column::AvailableUntil, Order::Asc),
    };
    let mut select = listing::Entity::find()
        .select_only()
        .columns([
            listing::Column::Id,
            listing::Column::ItemName,
            listing::Column::Quantity,
            listing::Column::Unit,
            listing::Column::Category,
            listing::Column::DietaryTags,
            listing::Column::AvailableUntil,
            listing::Column::CreatedAt,
            listing::Column::ThumbKey,
        ])
        .column_as(user::Column::DisplayName, "business_name")
        .column_as(user::Column::PickupLocation, "pickup_location")
        .column_as(image::Column::Width, "thumb_width")
        .column_as(image::Column::Height, "thumb_height")
        .join(JoinType::InnerJoin, listing::Relation::Business.def())
        .join(JoinType::LeftJoin, listing::Relation::Thumbnail.def())
        .filter(listing::Column::Status.eq(STATUS_AVAILABLE))
        .filter(listing::Column::AvailableUntil.gt(now));

    if let Some(category) = query.category {
        select = select.filter(listing::Column::Category.eq(category.as_str()));
    }
    if let Some(search) = query
        .search
        .as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty())
    {
        let pattern = format!(
            "%{}%",
            escape_like(
                &search
                    .chars()
                    .take(SEARCH_MAX)
                    .collect::<String>()
                    .to_lowercase()
            )
        );
        let matches = |column: listing::Column| {
            Expr::expr(Func::lower(Expr::col((listing::Entity, column))))
                .like(LikeExpr::new(pattern.clone()).escape('\\'))
        };
        select = select.filter(
            Condition::any()
                .add(matches(listing::Column::ItemName))
                .add(matches(listing::Column::Description)),
        );
    }
    if let Some((key, id)) = query.after.as_deref().and_then(parse_cursor) {
        let beyond = match order {
            Order::Desc => Condition::any().add(key_column.lt(key)).add(
                Condition::all()
                    .add(key_column.eq(key))
                    .add(listing::Column::Id.lt(id)),
            ),
            _ => Condition::any().add(key_column.gt(key)).add(
                Condition::all()
                    .add(key_column.eq(key))
                    .add(listing::Column::Id.gt(id)),
            ),
        };
        select = select.filter(beyond);
    }

    let mut rows = select
        .order_by(key_column, order.clone())
        .order_by(listing::Column::Id, order)
        .limit(page_size + 1)
        .into_model::<CardRow>()
        .all(db)
        .await?;
    let next = if rows.len() as u64 > page_size {
        rows.truncate(page_size as usize);
        rows.last().map(|last| match sort {
            Sort::Newest => cursor(last.created_at, last.id),
            Sort::EndingSoon => cursor(last.available_until, last.id),
        })
    } else {
        None
    };
    let items = rows
        .into_iter()
        .map(|row| card(row, now))
        .collect::<Result<_, _>>()?;
    Ok(Page { items, next })
}

fn card(row: CardRow, now: DateTime<Utc>) -> Result<ListingCard, AppError> {
    let thumbnail = match (row.thumb_key, row.thumb_width, row.thumb_height) {
        (Some(key), Some(width), Some(height)) => Some(ImageRef {
            url: images::url(&key),
            width: width as u32,
            height: height as u32,
        }),
        _ => None,
    };
    Ok(ListingCard {
        id: row.id,
        item_name: row.item_name,
        quantity: row.quantity,
        unit: code(&row.unit, Unit::parse)?,
        category: code(&row.category, Category::parse)?,
        dietary_tags: tags(&row.dietary_tags)?,
        business_name: row.business_name,
        pickup_location: row.pickup_location.unwrap_or_default(),
        available_until: row.available_until,
        minutes_left: (row.available_until - now).num_minutes(),
        thumbnail,
    })
}

/// `%` and `_` typed by a user are searched for, not wildcards.
fn escape_like(text: &str) -> String {
    text.replace('\\', "\\\\")
        .replace('%', "\\%")
        .replace('_', "\\_")
}

fn cursor(key: DateTime<Utc>, id: i64) -> String {
    format!("{}_{id}", key.timestamp())
}

fn parse_cursor(text: &str) -> Option<(DateTime<Utc>, i64)> {
    let (seconds, id) = text.split_once('_')?;
    Some((
        DateTime::from_timestamp(seconds.parse().ok()?, 0)?,
        id.parse().ok()?,
    ))
}

/// A code read back from the database; anything else means the data is corrupt.
fn code<T>(text: &str, parse: fn(&str) -> Option<T>) -> Result<T, AppError> {
    parse(text).ok_or_else(|| {
        tracing::error!(code = text, "unknown code in the listings table");
        AppError::Internal
    })
}

fn tags(text: &str) -> Result<Vec<DietaryTag>, AppError> {
    text.split(',')
        .filter(|t| !t.is_empty())
        .map(|t| code(t, DietaryTag::parse))
        .collect()
}

/// One listing, whatever its state. Anyone may look.
pub async fn get(
    db: &impl ConnectionTrait,
    listing_id: i64,
    now: DateTime<Utc>,
) -> Result<ListingDetail, AppError> {
    let (row, business) = listing::Entity::find_by_id(listing_id)
        .find_also_related(user::Entity)
        .one(db)
        .await?
        .ok_or(AppError::NotFound)?;
    let business = business.ok_or(AppError::Internal)?;
    let sizes = image_sizes(
        db,
        [row.image_key.clone(), row.thumb_key.clone()]
            .into_iter()
            .flatten(),
    )
    .await?;
    detail(row, &business, &sizes, now)
}

/// A business's own listings, newest first, in every state, with who claimed each claimed
/// one. Businesses only.
pub async fn mine(
    db: &impl ConnectionTrait,
    actor: Actor,
    now: DateTime<Utc>,
) -> Result<Vec<OwnListing>, AppError> {
    actor.require(Role::Business)?;
    let business = user::Entity::find_by_id(actor.user_id)
        .one(db)
        .await?
        .ok_or(AppError::Unauthenticated)?;
    let rows = listing::Entity::find()
        .filter(listing::Column::BusinessId.eq(actor.user_id))
        .order_by_desc(listing::Column::CreatedAt)
        .order_by_desc(listing::Column::Id)
        .limit(200)
        .all(db)
        .await?;
    let keys: Vec<String> = rows
        .iter()
        .flat_map(|r| [r.image_key.clone(), r.thumb_key.clone()])
        .flatten()
        .collect();
    let sizes = image_sizes(db, keys).await?;
    let ids: Vec<i64> = rows.iter().map(|r| r.id).collect();
    let mut claimants: HashMap<i64, Claimant> = claim::Entity::find()
        .filter(claim::Column::ListingId.is_in(ids))
        .find_also_related(user::Entity)
        .all(db)
        .await?
        .into_iter()
        .filter_map(|(claim, client)| Some((claim.listing_id, claims::claimant(&claim, client?))))
        .collect();
    rows.into_iter()
        .map(|row| {
            let claimed_by = claimants.remove(&row.id);
            Ok(OwnListing {
                listing: detail(row, &business, &sizes, now)?,
                claimed_by,
            })
        })
        .collect()
}

/// The thumbnail of a listing, with its size.
pub fn unit_of(row: &listing::Model) -> Result<Unit, AppError> {
    code(&row.unit, Unit::parse)
}

/// Widths and heights of stored images (never their bytes), by key.
pub struct ImageSizes(HashMap<String, (u32, u32)>);

impl ImageSizes {
    /// The image stored under `key`, as a page shows it.
    pub fn image_ref(&self, key: &Option<String>) -> Option<ImageRef> {
        let key = key.as_ref()?;
        let &(width, height) = self.0.get(key)?;
        Some(ImageRef {
            url: images::url(key),
            width,
            height,
        })
    }
}

/// Looks up the sizes of the images stored under `keys`, in one query.
pub async fn image_sizes(
    db: &impl ConnectionTrait,
    keys: impl IntoIterator<Item = String>,
) -> Result<ImageSizes, AppError> {
    let keys: Vec<String> = keys.into_iter().collect();
    if keys.is_empty() {
        return Ok(ImageSizes(HashMap::new()));
    }
    let rows: Vec<(String, i32, i32)> = image::Entity::find()
        .select_only()
        .columns([
            image::Column::Key,
            image::Column::Width,
            image::Column::Height,
        ])
        .filter(image::Column::Key.is_in(keys))
        .into_tuple()
        .all(db)
        .await?;
    Ok(ImageSizes(
        rows.into_iter()
            .map(|(key, w, h)| (key, (w as u32, h as u32)))
            .collect(),
    ))
}

fn detail(
    row: listing::Model,
    business: &user::Model,
    sizes: &ImageSizes,
    now: DateTime<Utc>,
) -> Result<ListingDetail, AppError> {
    Ok(ListingDetail {
        id: row.id,
        business_id: row.business_id,
        state: state_of(&row.status, row.available_until, now),
        unit: code(&row.unit, Unit::parse)?,
        category: code(&row.category, Category::parse)?,
        dietary_tags: tags(&row.dietary_tags)?,
        photo: sizes.image_ref(&row.image_key),
        thumbnail: sizes.image_ref(&row.thumb_key),
        item_name: row.item_name,
        quantity: row.quantity,
        description: row.description,
        pickup_from: row.pickup_from,
        available_until: row.available_until,
        business_name: business.display_name.clone(),
        pickup_location: business.pickup_location.clone().unwrap_or_default(),
        created_at: row.created_at,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(text: &str) -> DateTime<Utc> {
        parse_site_time(text).unwrap()
    }

    fn form() -> ListingForm {
        ListingForm {
            item_name: "Pain complet".into(),
            quantity: "12".into(),
            unit: "loaves".into(),
            category: "bakery".into(),
            dietary_tags: vec!["vegan".into(), "gluten".into(), "vegan".into()],
            description: "Baked this morning.".into(),
            pickup_from: "2026-11-22T17:00".into(),
            available_until: "2026-11-22T20:00".into(),
        }
    }

    fn problem_of(result: Result<ValidListing, AppError>, field: Field) -> Option<Problem> {
        result.err().and_then(|e| e.problem(field).cloned())
    }

    #[test]
    fn site_times_are_west_africa_time() {
        assert_eq!(
            at("2026-11-22T20:00").to_rfc3339(),
            "2026-11-22T19:00:00+00:00"
        );
    }

    #[test]
    fn a_complete_form_is_valid() {
        let valid = validate(&form(), None, at("2026-11-22T12:00")).unwrap();
        assert_eq!(valid.quantity, 12.0);
        assert_eq!(
            valid.dietary_tags,
            vec![DietaryTag::Gluten, DietaryTag::Vegan],
            "sorted, no repeats"
        );
        assert_eq!(valid.pickup_from, Some(at("2026-11-22T17:00")));
    }

    #[test]
    fn quantities_are_positive_numbers_with_either_decimal_mark() {
        let now = at("2026-11-22T12:00");
        let with = |q: &str| {
            validate(
                &ListingForm {
                    quantity: q.into(),
                    ..form()
                },
                None,
                now,
            )
        };
        assert_eq!(with("2,5").unwrap().quantity, 2.5);
        for bad in ["0", "-3", "abc", "NaN", "inf", "1e9"] {
            assert_eq!(
                problem_of(with(bad), Field::Quantity),
                Some(Problem::NotAQuantity),
                "{bad}"
            );
        }
        assert_eq!(
            problem_of(with(" "), Field::Quantity),
            Some(Problem::Required)
        );
    }

    #[test]
    fn the_deadline_is_in_the_future_and_at_most_seven_days_ahead() {
        let now = at("2026-11-22T12:00");
        let until = |t: &str| {
            validate(
                &ListingForm {
                    available_until: t.into(),
                    pickup_from: String::new(),
                    ..form()
                },
                None,
                now,
            )
        };
        assert_eq!(
            problem_of(until("2026-11-22T12:00"), Field::AvailableUntil),
            Some(Problem::InThePast),
            "now is too late"
        );
        assert!(until("2026-11-22T12:01").is_ok());
        assert!(until("2026-11-29T12:00").is_ok(), "exactly seven days");
        assert_eq!(
            problem_of(until("2026-11-29T12:01"), Field::AvailableUntil),
            Some(Problem::TooFarAhead { days: 7 })
        );
        assert_eq!(
            problem_of(until("tomorrow"), Field::AvailableUntil),
            Some(Problem::NotADateTime)
        );
    }

    #[test]
    fn pickup_starts_before_the_deadline() {
        let now = at("2026-11-22T12:00");
        let result = validate(
            &ListingForm {
                pickup_from: "2026-11-22T20:00".into(),
                ..form()
            },
            None,
            now,
        );
        assert_eq!(
            problem_of(result, Field::PickupFrom),
            Some(Problem::PickupAfterDeadline)
        );
    }

    #[test]
    fn choices_come_from_the_fixed_lists() {
        let now = at("2026-11-22T12:00");
        let result = validate(
            &ListingForm {
                unit: "tonnes".into(),
                category: "".into(),
                dietary_tags: vec!["keto".into()],
                ..form()
            },
            None,
            now,
        );
        let errors = match result {
            Err(AppError::Validation(errors)) => errors,
            other => panic!("{other:?}"),
        };
        assert!(errors.contains(&FieldError {
            field: Field::Unit,
            problem: Problem::NotAChoice
        }));
        assert!(errors.contains(&FieldError {
            field: Field::Category,
            problem: Problem::Required
        }));
        assert!(errors.contains(&FieldError {
            field: Field::DietaryTags,
            problem: Problem::NotAChoice
        }));
    }

    #[test]
    fn a_photo_problem_is_reported_with_the_rest() {
        let result = validate(
            &ListingForm {
                item_name: "".into(),
                ..form()
            },
            Some(&Problem::NotAPhoto),
            at("2026-11-22T12:00"),
        );
        let error = result.unwrap_err();
        assert_eq!(error.problem(Field::Photo), Some(&Problem::NotAPhoto));
        assert_eq!(error.problem(Field::ItemName), Some(&Problem::Required));
    }

    #[test]
    fn expired_is_available_past_its_deadline() {
        let until = at("2026-11-22T20:00");
        assert_eq!(
            state_of("available", until, at("2026-11-22T19:59")),
            ListingState::Available
        );
        assert_eq!(state_of("available", until, until), ListingState::Expired);
        assert_eq!(
            state_of("claimed", until, at("2026-11-22T19:59")),
            ListingState::Claimed
        );
        assert_eq!(
            state_of("withdrawn", until, at("2026-11-22T19:59")),
            ListingState::Withdrawn
        );
    }

    #[test]
    fn cursors_round_trip_and_junk_is_ignored() {
        let t = at("2026-11-22T20:00");
        assert_eq!(parse_cursor(&cursor(t, 42)), Some((t, 42)));
        for junk in ["", "abc", "12_", "_5", "99999999999999999999_1"] {
            assert_eq!(parse_cursor(junk), None, "{junk}");
        }
    }

    #[test]
    fn like_wildcards_typed_by_users_are_literal() {
        assert_eq!(escape_like(r"50%_off\"), r"50\%\_off\\");
    }
}
