use leptos::{
    prelude::*,
    server_fn::codec::{MultipartData, MultipartFormData},
};

use crate::{
    dto::{Category, ListingCard, ListingDetail, ListingId, OwnListing, Page, Sort},
    error::AppError,
};

/// Posts a listing. Businesses only. A multipart form: `item_name`, `quantity`, `unit`,
/// `category`, `dietary_tags` (repeated), `description`, `pickup_from` and `available_until`
/// (`YYYY-MM-DDTHH:MM`, West Africa Time), `photo` (JPEG, PNG or WebP, at most 8 MB).
/// Answers the new listing's id.
#[server(endpoint = "create_listing", input = MultipartFormData)]
pub async fn create_listing(data: MultipartData) -> Result<i64, AppError> {
    use crate::{api::respond, auth, domain, state::app_state};

    respond(
        async {
            let actor = auth::require_business().await?;
            let state = app_state()?;
            let upload = upload::read(data).await?;
            let photo = upload.photo().await?;
            let created = domain::listings::create(
                &state.db,
                state.events.as_ref(),
                actor,
                &upload.form,
                photo,
                domain::clock::now(),
            )
            .await;
            match created {
                Ok(id) => {
                    leptos_axum::redirect("/business");
                    Ok(id)
                }
                Err(e) => {
                    auth::keep_form("listing_new", upload.kept()).await?;
                    Err(e.into())
                }
            }
        }
        .await,
    )
}

/// Changes an available listing. Its own business only. The same fields as `create_listing`
/// plus `listing_id`; without a `photo` the current one stays.
#[server(endpoint = "update_listing", input = MultipartFormData)]
pub async fn update_listing(data: MultipartData) -> Result<(), AppError> {
    use crate::{api::respond, auth, domain, state::app_state};

    respond(
        async {
            let actor = auth::require_business().await?;
            let state = app_state()?;
            let upload = upload::read(data).await?;
            let listing_id = upload.listing_id.ok_or_else(|| {
                AppError::BadRequest("`listing_id` is missing or not a listing's number".into())
            })?;
            let photo = upload.photo().await?;
            let form = &upload.form;
            let now = domain::clock::now();
            match domain::listings::update(
                &state.db,
                state.events.as_ref(),
                actor,
                listing_id,
                form,
                photo,
                now,
            )
            .await
            {
                Ok(()) => {
                    leptos_axum::redirect("/business");
                    Ok(())
                }
                Err(e) => {
                    auth::keep_form(&format!("listing_{listing_id}"), upload.kept()).await?;
                    Err(e.into())
                }
            }
        }
        .await,
    )
}

/// Takes an available listing off the site. Its own business only.
#[server(endpoint = "withdraw_listing")]
pub async fn withdraw_listing(listing_id: ListingId) -> Result<(), AppError> {
    use crate::{api::respond, auth, domain, state::app_state};

    respond(
        async {
            let actor = auth::require_business().await?;
            let state = app_state()?;
            domain::listings::withdraw(
                &state.db,
                state.events.as_ref(),
                actor,
                listing_id.0,
                domain::clock::now(),
            )
            .await?;
            leptos_axum::redirect("/business");
            Ok(())
        }
        .await,
    )
}

/// What can be claimed now: `sort` (`newest` or `ending_soon`), `q` (text search), `category`,
/// `after` (the `next` cursor of the previous page). Anyone may browse.
#[server(endpoint = "list_listings")]
pub async fn list_listings(
    sort: Option<Sort>,
    q: Option<String>,
    category: Option<Category>,
    after: Option<String>,
) -> Result<Page<ListingCard>, AppError> {
    use crate::{
        api::respond,
        domain::{self, browse::BrowseQuery},
        limits::PAGE_SIZE,
        rendered::BrowseSource,
        state::app_state,
    };

    respond(
        async {
            let query = BrowseQuery {
                sort,
                search: q,
                category,
                after,
            };
            let state = app_state()?;
            let now = domain::clock::now();
            let page = state
                .browse_cache
                .browse(&state.db, &query, now, PAGE_SIZE)
                .await?;
            BrowseSource::note(&query, &page);
            Ok(page)
        }
        .await,
    )
}

/// One listing, whatever its state. Anyone may look.
#[server(endpoint = "get_listing")]
pub async fn get_listing(listing_id: ListingId) -> Result<ListingDetail, AppError> {
    use crate::{api::respond, domain, state::app_state};

    respond(
        async {
            let now = domain::clock::now();
            Ok(domain::listings::get(&app_state()?.db, listing_id.0, now).await?)
        }
        .await,
    )
}

/// The logged-in business's listings, newest first, in every state; a page at a time
/// (`after`: the previous page's `next`). Businesses only.
#[server(endpoint = "my_listings")]
pub async fn my_listings(after: Option<String>) -> Result<Page<OwnListing>, AppError> {
    use crate::{api::respond, auth, domain, limits::OWN_PAGE_SIZE, state::app_state};

    respond(
        async {
            let actor = auth::require_business().await?;
            let now = domain::clock::now();
            let db = &app_state()?.db;
            Ok(domain::listings::mine(db, actor, after.as_deref(), now, OWN_PAGE_SIZE).await?)
        }
        .await,
    )
}

/// Reading the listing form from a multipart body, with every size bounded.
#[cfg(feature = "ssr")]
mod upload {
    use leptos::server_fn::codec::MultipartData;

    use crate::{
        domain::{
            images::{self, MAX_UPLOAD_BYTES, Photo},
            listing_form::ListingForm,
        },
        dto::KeptForm,
        error::{AppError, Problem},
    };

    /// Longest text value read from the form (a description is at most 2,000 characters).
    const MAX_TEXT_BYTES: usize = 16 * 1024;

    pub struct Upload {
        pub form: ListingForm,
        pub listing_id: Option<i64>,
        /// The photo's bytes, or why they were not kept; `None` when no file was chosen.
        pub photo: Option<Result<Vec<u8>, Problem>>,
    }

    impl Upload {
        /// Processes the photo, when there is one, off the async runtime.
        pub async fn photo(&self) -> Result<Option<Result<Photo, Problem>>, AppError> {
            match &self.photo {
                None => Ok(None),
                Some(Err(problem)) => Ok(Some(Err(problem.clone()))),
                Some(Ok(bytes)) => Ok(Some(images::process_blocking(bytes.clone()).await?)),
            }
        }

        /// What a plain form post gets back when refused (a file input cannot be refilled).
        pub fn kept(&self) -> KeptForm {
            let f = &self.form;
            KeptForm::from([
                ("item_name".to_owned(), f.item_name.clone()),
                ("quantity".to_owned(), f.quantity.clone()),
                ("unit".to_owned(), f.unit.clone()),
                ("category".to_owned(), f.category.clone()),
                ("dietary_tags".to_owned(), f.dietary_tags.join(",")),
                ("description".to_owned(), f.description.clone()),
                ("pickup_from".to_owned(), f.pickup_from.clone()),
                ("available_until".to_owned(), f.available_until.clone()),
            ])
        }
    }

    fn bad_request(e: impl std::fmt::Display) -> AppError {
        AppError::BadRequest(format!("unreadable listing form: {e}"))
    }

    pub async fn read(data: MultipartData) -> Result<Upload, AppError> {
        let mut multipart = data
            .into_inner()
            .ok_or_else(|| AppError::BadRequest("expected a multipart form".into()))?;
        let mut upload = Upload {
            form: ListingForm::default(),
            listing_id: None,
            photo: None,
        };
        while let Some(mut field) = multipart.next_field().await.map_err(bad_request)? {
            let name = field.name().unwrap_or_default().to_owned();
            if name == "photo" {
                // A file input left empty still sends a part, with no file name.
                if field.file_name().is_none_or(str::is_empty) {
                    continue;
                }
                let mut bytes = Vec::new();
                let mut too_large = false;
                while let Some(chunk) = field.chunk().await.map_err(bad_request)? {
                    if bytes.len() + chunk.len() > MAX_UPLOAD_BYTES {
                        // Keep reading (and dropping) so the fields after the photo still
                        // arrive; the server's body limit bounds how long.
                        too_large = true;
                        bytes.clear();
                    } else if !too_large {
                        bytes.extend_from_slice(&chunk);
                    }
                }
                upload.photo = Some(if too_large {
                    Err(Problem::photo_too_large())
                } else {
                    Ok(bytes)
                });
                continue;
            }
            let mut text = Vec::new();
            while let Some(chunk) = field.chunk().await.map_err(bad_request)? {
                if text.len() + chunk.len() > MAX_TEXT_BYTES {
                    return Err(bad_request(format!("`{name}` is longer than 16 KB")));
                }
                text.extend_from_slice(&chunk);
            }
            let text = String::from_utf8(text)
                .map_err(|_| bad_request(format!("`{name}` is not UTF-8 text")))?;
            let form = &mut upload.form;
            match name.as_str() {
                "listing_id" => upload.listing_id = text.trim().parse().ok(),
                "item_name" => form.item_name = text,
                "quantity" => form.quantity = text,
                "unit" => form.unit = text,
                "category" => form.category = text,
                "dietary_tags" => form.dietary_tags.push(text),
                "description" => form.description = text,
                "pickup_from" => form.pickup_from = text,
                "available_until" => form.available_until = text,
                _ => {}
            }
        }
        Ok(upload)
    }
}
