//! The site's own files (the WASM, its JavaScript and the style sheet, built into
//! `<site root>/pkg`) under a path that names their content: `/pkg/<version>/…`, the version a
//! hash of every file there, taken when the replica starts. Pages link to that path, so a
//! browser keeps what it fetched for a year without asking again (`immutable`), and a new build
//! is a new path, fetched at once. Each file is sent precompressed (brotli or gzip, as the
//! browser accepts) where the release build wrote those copies.

use std::{io, path::Path};

use axum::{
    Router,
    http::{HeaderValue, header},
    middleware::map_response,
    response::Response,
};
use sha2::{Digest, Sha256};
use tower_http::services::ServeDir;

/// Where the build writes the files, under the site root.
pub const PKG: &str = "pkg";

/// The hash of the files in `pkg` (their names and contents; the precompressed copies follow
/// from them), as 16 hex digits. A missing folder (a server built without its site) has a
/// version too.
pub fn version(pkg: &Path) -> io::Result<String> {
    let mut files = match std::fs::read_dir(pkg) {
        Ok(dir) => dir
            .map(|entry| entry.map(|e| e.path()))
            .collect::<io::Result<Vec<_>>>()?,
        Err(e) if e.kind() == io::ErrorKind::NotFound => Vec::new(),
        Err(e) => return Err(e),
    };
    files.retain(|path| {
        path.is_file() && !matches!(path.extension().and_then(|e| e.to_str()), Some("gz" | "br"))
    });
    files.sort();
    let mut hash = Sha256::new();
    for file in &files {
        hash.update(file.file_name().unwrap_or_default().as_encoded_bytes());
        hash.update(std::fs::read(file)?);
    }
    Ok(hash.finalize()[..8]
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect())
}

/// Serves `pkg` under `/<url_dir>` (`pkg/<version>`), each file for a year.
pub fn routes<S: Clone + Send + Sync + 'static>(pkg: &Path, url_dir: &str) -> Router<S> {
    Router::new()
        .nest_service(
            &format!("/{url_dir}"),
            ServeDir::new(pkg).precompressed_br().precompressed_gzip(),
        )
        .layer(map_response(kept_for_a_year))
}

async fn kept_for_a_year(mut response: Response) -> Response {
    if response.status().is_success() {
        response.headers_mut().insert(
            header::CACHE_CONTROL,
            HeaderValue::from_static("public, max-age=31536000, immutable"),
        );
    }
    response
}

/// Pages are never kept: each visit asks for the page as it stands (the files it links to are
/// kept, under their versioned path).
pub async fn pages_not_kept(mut response: Response) -> Response {
    let is_html = response
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|t| t.to_str().ok())
        .is_some_and(|t| t.starts_with("text/html"));
    if is_html && !response.headers().contains_key(header::CACHE_CONTROL) {
        response
            .headers_mut()
            .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
    }
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_version_follows_the_files_and_ignores_their_compressed_copies() {
        let dir = tempfile::tempdir().unwrap();
        let missing = version(&dir.path().join("nothing")).unwrap();
        std::fs::write(dir.path().join("foodbridge.js"), "one").unwrap();
        let first = version(dir.path()).unwrap();
        assert_eq!(first.len(), 16);
        assert_ne!(first, missing);
        std::fs::write(dir.path().join("foodbridge.js.br"), "compressed").unwrap();
        assert_eq!(version(dir.path()).unwrap(), first);
        std::fs::write(dir.path().join("foodbridge.js"), "two").unwrap();
        assert_ne!(version(dir.path()).unwrap(), first);
    }
}
