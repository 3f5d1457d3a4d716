//! HTML already rendered from some data, kept to be sent again while that data is the same.
//!
//! The cache cannot go stale: an entry is served only for data equal to the data it was
//! rendered from, so whatever keeps the data true (the browse cache, which every listing event
//! on every replica invalidates) keeps its HTML true. What it saves is the rendering: most of a
//! busy page's time on the server.

use std::{
    collections::HashMap,
    hash::Hash,
    sync::{Arc, Mutex},
};

/// Entries kept at most (searches make the keys unbounded); past it the cache starts afresh.
const MAX_ENTRIES: usize = 512;

/// The last HTML rendered under each key, with the data it was rendered from.
pub struct Rendered<K, D> {
    entries: Mutex<HashMap<K, (D, Arc<str>)>>,
}

impl<K, D> Default for Rendered<K, D> {
    fn default() -> Self {
        Rendered {
            entries: Mutex::default(),
        }
    }
}

impl<K: Hash + Eq, D: PartialEq> Rendered<K, D> {
    /// The HTML of `data` under `key`: the kept one if it was rendered from equal data,
    /// otherwise `render(&data)`, kept for next time.
    pub fn html(&self, key: K, data: D, render: impl FnOnce(&D) -> String) -> Arc<str> {
        if let Some((kept, html)) = self.lock().get(&key)
            && *kept == data
        {
            return html.clone();
        }
        // Rendered outside the lock: two requests may both render, never wait on each other.
        let html: Arc<str> = render(&data).into();
        let mut entries = self.lock();
        if entries.len() >= MAX_ENTRIES && !entries.contains_key(&key) {
            entries.clear();
        }
        entries.insert(key, (data, html.clone()));
        html
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<K, (D, Arc<str>)>> {
        self.entries.lock().unwrap_or_else(|p| p.into_inner())
    }
}

#[cfg(test)]
mod tests {
    use std::cell::Cell;

    use super::*;

    #[test]
    fn the_same_data_is_rendered_once_and_changed_data_again() {
        let rendered = Rendered::<&str, Vec<i32>>::default();
        let renders = Cell::new(0);
        let render = |data: &Vec<i32>| {
            renders.set(renders.get() + 1);
            format!("{data:?}")
        };

        assert_eq!(&*rendered.html("en", vec![1, 2], render), "[1, 2]");
        assert_eq!(&*rendered.html("en", vec![1, 2], render), "[1, 2]");
        assert_eq!(renders.get(), 1);
        // A listing gone from the data: never the old HTML.
        assert_eq!(&*rendered.html("en", vec![2], render), "[2]");
        assert_eq!(renders.get(), 2);
        // Each key (a language, a filter) has its own.
        assert_eq!(&*rendered.html("fr", vec![2], render), "[2]");
        assert_eq!(renders.get(), 3);
        assert_eq!(&*rendered.html("en", vec![2], render), "[2]");
        assert_eq!(renders.get(), 3);
    }

    #[test]
    fn the_cache_is_bounded() {
        let rendered = Rendered::<usize, ()>::default();
        for key in 0..MAX_ENTRIES * 3 {
            rendered.html(key, (), |_| String::new());
        }
        assert!(rendered.lock().len() <= MAX_ENTRIES);
    }
}
