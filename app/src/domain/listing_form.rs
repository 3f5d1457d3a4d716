//! The listing form: what a valid listing is. Pure rules, no database.

use chrono::{DateTime, Duration, NaiveDateTime, TimeZone, Utc};

use crate::{
    domain::{error::DomainError, validate},
    dto::{Category, DietaryTag, DietaryTags, Unit, site_offset},
    error::{Field, FieldError, Problem},
    limits::{DESCRIPTION_MAX, ITEM_NAME_MAX, MAX_DAYS_AHEAD, QUANTITY_MAX},
};

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
    pub dietary_tags: DietaryTags,
    pub description: String,
    pub pickup_from: Option<DateTime<Utc>>,
    pub available_until: DateTime<Utc>,
}

/// Checks every field at once; `photo` is the outcome of processing the upload, when the form
/// carried one.
pub fn validate(
    form: &ListingForm,
    photo: Option<&Problem>,
    now: DateTime<Utc>,
) -> Result<ValidListing, DomainError> {
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
            Ok(dietary_tags),
            Ok(pickup_from),
            Ok(available_until),
        ) if errors.is_empty() => Ok(ValidListing {
            item_name,
            quantity,
            unit,
            category,
            dietary_tags: DietaryTags::new(dietary_tags),
            description,
            pickup_from,
            available_until,
        }),
        _ => Err(DomainError::Invalid(errors)),
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
pub(crate) fn parse_site_time(text: &str) -> Result<DateTime<Utc>, Problem> {
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

    fn problem_of(result: Result<ValidListing, DomainError>, field: Field) -> Option<Problem> {
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
            DietaryTags::new([DietaryTag::Gluten, DietaryTag::Vegan]),
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
            Err(DomainError::Invalid(errors)) => errors,
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
}
