//! SeaORM entities. Enumerated columns (role, status, category, ...) are stored as short text
//! codes; their Rust enums live in `app::dto`, shared by the UI and the server.

pub mod claim;
pub mod image;
pub mod listing;
pub mod outbox;
pub mod session;
pub mod user;

pub mod prelude {
    pub use super::claim::Entity as Claim;
    pub use super::image::Entity as Image;
    pub use super::listing::Entity as Listing;
    pub use super::user::Entity as User;
}
