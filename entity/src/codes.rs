//! FoodBridge's fixed vocabularies, defined once for the database, the domain, the wire and
//! the UI. Each code is written once below: it is the stored text (a SeaORM active enum with
//! the `orm` feature), the serde name and what `as_str` returns. A stored value that is not
//! one of these is an error when read, never a guess.

use serde::{Deserialize, Serialize};

#[cfg(feature = "orm")]
use sea_orm::entity::prelude::*;

/// Declares a fixed list of codes: serde names, `as_str`, `parse`, `ALL` and, with `orm`, a
/// SeaORM active enum stored as its code.
macro_rules! codes {
    ($(#[$meta:meta])* $name:ident { $($(#[$vmeta:meta])* $variant:ident = $code:literal),+ $(,)? }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
        #[cfg_attr(feature = "orm", derive(EnumIter, DeriveActiveEnum))]
        #[cfg_attr(feature = "orm", sea_orm(rs_type = "String", db_type = "String(StringLen::None)"))]
        pub enum $name {
            $(
                $(#[$vmeta])*
                #[serde(rename = $code)]
                #[cfg_attr(feature = "orm", sea_orm(string_value = $code))]
                $variant
            ),+
        }

        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            pub fn as_str(self) -> &'static str {
                match self {
                    $($name::$variant => $code),+
                }
            }

            pub fn parse(code: &str) -> Option<Self> {
                Self::ALL.iter().copied().find(|v| v.as_str() == code)
            }
        }
    };
}

codes! {
    /// Who an account is.
    Role {
        /// Posts surplus food.
        Business = "business",
        /// Claims it.
        Client = "client",
    }
}

codes! {
    /// The language someone reads: what FoodBridge writes to them in.
    Language {
        En = "en",
        Fr = "fr",
    }
}

codes! {
    /// A listing's stored status. "Expired" is not stored: it is an available listing whose
    /// time has passed (see [`ListingState`]).
    ListingStatus {
        Available = "available",
        Claimed = "claimed",
        Withdrawn = "withdrawn",
    }
}

codes! {
    /// Where a listing stands, as people see it: "expired" is an available listing whose time
    /// has passed.
    ListingState {
        Available = "available",
        Claimed = "claimed",
        Expired = "expired",
        Withdrawn = "withdrawn",
    }
}

codes! {
    /// What kind of food a listing is.
    Category {
        PreparedMeals = "prepared_meals",
        Bakery = "bakery",
        FruitVegetables = "fruit_vegetables",
        DairyEggs = "dairy_eggs",
        MeatFish = "meat_fish",
        Groceries = "groceries",
        Drinks = "drinks",
        Other = "other",
    }
}

codes! {
    /// How a listing's quantity is counted.
    Unit {
        Portions = "portions",
        Kg = "kg",
        Loaves = "loaves",
        Trays = "trays",
        Items = "items",
        Litres = "litres",
        Boxes = "boxes",
    }
}

codes! {
    /// What a client may need to know about the food.
    DietaryTag {
        Vegetarian = "vegetarian",
        Vegan = "vegan",
        Halal = "halal",
        ContainsNuts = "contains_nuts",
        Dairy = "dairy",
        Gluten = "gluten",
        Eggs = "eggs",
        Fish = "fish",
    }
}

codes! {
    /// The two orders of the browse page.
    Sort {
        Newest = "newest",
        EndingSoon = "ending_soon",
    }
}

codes! {
    /// What an email tells, and to whom.
    EmailKind {
        /// The client's confirmation, with the business's contact details.
        ClaimToClient = "claim_to_client",
        /// The business's notice, with the client's contact details.
        ClaimToBusiness = "claim_to_business",
        /// The business is told the client gave the claim back.
        CancelToBusiness = "cancel_to_business",
        /// A client on the waiting list is told the listing is available again.
        ReopenToWaiting = "reopen_to_waiting",
        /// The client is reminded an hour before the deadline of a claim not yet collected.
        ReminderToClient = "reminder_to_client",
        /// After the deadline the business is asked whether the food was collected.
        FollowUpToBusiness = "follow_up_to_business",
    }
}

codes! {
    /// What became of a claim.
    Outcome {
        /// The client gave it back.
        Cancelled = "cancelled",
        /// The food was picked up.
        Collected = "collected",
        /// The client never came (a no-show).
        NotCollected = "not_collected",
    }
}

impl ListingStatus {
    /// Where a listing with this status stands at a time that is `expired` or not.
    pub fn state(self, expired: bool) -> ListingState {
        match self {
            ListingStatus::Available if expired => ListingState::Expired,
            ListingStatus::Available => ListingState::Available,
            ListingStatus::Claimed => ListingState::Claimed,
            ListingStatus::Withdrawn => ListingState::Withdrawn,
        }
    }
}

/// A listing's dietary tags: a set, kept sorted and without repeats; stored as a JSON array
/// of codes.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "orm", derive(FromJsonQueryResult))]
#[serde(transparent)]
pub struct DietaryTags(Vec<DietaryTag>);

impl DietaryTags {
    pub fn new(tags: impl IntoIterator<Item = DietaryTag>) -> Self {
        let mut tags: Vec<DietaryTag> = tags.into_iter().collect();
        tags.sort_by_key(|t| t.as_str());
        tags.dedup();
        DietaryTags(tags)
    }

    pub fn iter(&self) -> impl Iterator<Item = DietaryTag> + '_ {
        self.0.iter().copied()
    }

    pub fn contains(&self, tag: DietaryTag) -> bool {
        self.0.contains(&tag)
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_round_trip_and_strangers_are_refused() {
        for unit in Unit::ALL {
            assert_eq!(Unit::parse(unit.as_str()), Some(*unit));
        }
        assert_eq!(Role::parse("admin"), None);
        assert_eq!(EmailKind::parse("newsletter"), None);
    }

    #[test]
    fn the_wire_name_is_the_code() {
        assert_eq!(
            serde_json::to_string(&Category::FruitVegetables).unwrap(),
            "\"fruit_vegetables\""
        );
        assert!(serde_json::from_str::<Role>("\"admin\"").is_err());
    }

    #[test]
    fn dietary_tags_are_a_sorted_set_stored_as_an_array() {
        let tags = DietaryTags::new([DietaryTag::Vegan, DietaryTag::Gluten, DietaryTag::Vegan]);
        assert_eq!(
            serde_json::to_string(&tags).unwrap(),
            r#"["gluten","vegan"]"#
        );
        assert!(serde_json::from_str::<DietaryTags>(r#"["keto"]"#).is_err());
    }

    #[test]
    fn expiry_only_changes_an_available_listing() {
        assert_eq!(ListingStatus::Available.state(true), ListingState::Expired);
        assert_eq!(
            ListingStatus::Available.state(false),
            ListingState::Available
        );
        assert_eq!(ListingStatus::Claimed.state(true), ListingState::Claimed);
        assert_eq!(
            ListingStatus::Withdrawn.state(true),
            ListingState::Withdrawn
        );
    }
}

codes! {
    /// What happened to a listing, as the live stream tells it.
    LiveChange {
        Posted = "posted",
        Updated = "updated",
        Withdrawn = "withdrawn",
        Claimed = "claimed",
        /// A claim was given back (or not collected) before the deadline: available again.
        Reopened = "reopened",
        /// A claim's pickup was recorded (collected or not).
        Settled = "settled",
    }
}
