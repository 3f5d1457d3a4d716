//! How FoodBridge's vocabularies read, in the reader's language: for pages and emails alike
//! (this module has no UI in it, so the server's emails need no components).

use leptos_i18n::I18nContext;

use crate::{
    dto::{Category, DietaryTag, ListingState, Unit, quantity_text},
    i18n::*,
};

pub fn category_label(i18n: I18nContext<Locale>, category: Category) -> String {
    match category {
        Category::PreparedMeals => t_string!(i18n, category_prepared_meals),
        Category::Bakery => t_string!(i18n, category_bakery),
        Category::FruitVegetables => t_string!(i18n, category_fruit_vegetables),
        Category::DairyEggs => t_string!(i18n, category_dairy_eggs),
        Category::MeatFish => t_string!(i18n, category_meat_fish),
        Category::Groceries => t_string!(i18n, category_groceries),
        Category::Drinks => t_string!(i18n, category_drinks),
        Category::Other => t_string!(i18n, category_other),
    }
    .to_string()
}

/// Takes the locale rather than the context: emails are written outside any page.
pub fn unit_label(locale: Locale, unit: Unit) -> &'static str {
    match unit {
        Unit::Portions => td_string!(locale, unit_portions),
        Unit::Kg => td_string!(locale, unit_kg),
        Unit::Loaves => td_string!(locale, unit_loaves),
        Unit::Trays => td_string!(locale, unit_trays),
        Unit::Items => td_string!(locale, unit_items),
        Unit::Litres => td_string!(locale, unit_litres),
        Unit::Boxes => td_string!(locale, unit_boxes),
    }
}

pub fn tag_label(i18n: I18nContext<Locale>, tag: DietaryTag) -> String {
    match tag {
        DietaryTag::Vegetarian => t_string!(i18n, tag_vegetarian),
        DietaryTag::Vegan => t_string!(i18n, tag_vegan),
        DietaryTag::Halal => t_string!(i18n, tag_halal),
        DietaryTag::ContainsNuts => t_string!(i18n, tag_contains_nuts),
        DietaryTag::Dairy => t_string!(i18n, tag_dairy),
        DietaryTag::Gluten => t_string!(i18n, tag_gluten),
        DietaryTag::Eggs => t_string!(i18n, tag_eggs),
        DietaryTag::Fish => t_string!(i18n, tag_fish),
    }
    .to_string()
}

pub fn state_label(i18n: I18nContext<Locale>, state: ListingState) -> String {
    match state {
        ListingState::Available => t_string!(i18n, state_available),
        ListingState::Claimed => t_string!(i18n, state_claimed),
        ListingState::Expired => t_string!(i18n, state_expired),
        ListingState::Withdrawn => t_string!(i18n, state_withdrawn),
    }
    .to_string()
}

/// `12 loaves`, `2.5 kg`.
pub fn quantity_label(locale: Locale, quantity: f64, unit: Unit) -> String {
    format!("{} {}", quantity_text(quantity), unit_label(locale, unit))
}
