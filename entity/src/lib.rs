//! FoodBridge's vocabularies (`codes`, also built for the browser) and, with the `orm`
//! feature, its SeaORM entities, whose enumerated columns are those vocabularies.

pub mod codes;

#[cfg(feature = "orm")]
pub mod claim;
#[cfg(feature = "orm")]
pub mod claim_outcome;
#[cfg(feature = "orm")]
pub mod image;
#[cfg(feature = "orm")]
pub mod listing;
#[cfg(feature = "orm")]
pub mod outbox;
#[cfg(feature = "orm")]
pub mod session;
#[cfg(feature = "orm")]
pub mod user;
#[cfg(feature = "orm")]
pub mod waitlist;

#[cfg(feature = "orm")]
pub mod prelude {
    pub use super::claim::Entity as Claim;
    pub use super::image::Entity as Image;
    pub use super::listing::Entity as Listing;
    pub use super::user::Entity as User;
}
