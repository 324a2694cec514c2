//! Response cache core: moka holds the keys, weights, TTL and eviction; the
//! cached values stay with the caller (JS), addressed by a numeric id. moka
//! 0.12 runs its housekeeping and eviction listener on the calling thread, so
//! the ids it removed are collected here and handed back by the same call.
use moka::notification::RemovalCause;
use moka::policy::EvictionPolicy;
use moka::sync::Cache;
use std::borrow::Borrow;
use std::hash::Hash;
use std::sync::{Arc, Mutex};
use std::time::Duration;

#[cfg(test)]
mod tests;

/// Bounds of one cache. Without either cap the cache holds `DEFAULT_ENTRIES`.
#[derive(Clone, Copy, Debug, Default)]
pub struct Config {
  pub ttl_ms: Option<f64>,
  pub max_entries: Option<u64>,
  pub max_bytes: Option<u64>,
}

pub const DEFAULT_ENTRIES: u64 = 1000;
/// moka refuses a TTL over 1000 years; anything past this is "no TTL".
const MAX_TTL_MS: f64 = 1000.0 * 365.0 * 24.0 * 3600.0 * 1000.0;

#[derive(Clone, Copy, Debug)]
struct Slot {
  id: u64,
  weight: u32,
}

#[derive(Default)]
struct Removed {
  ids: Vec<u64>,
  evictions: u64,
  expirations: u64,
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Stats {
  pub entries: u64,
  /// Estimated bytes when the cache is bounded by bytes, else 0.
  pub bytes: u64,
  /// Removed to stay within the bounds.
  pub evictions: u64,
  /// Removed because their TTL passed.
  pub expirations: u64,
}

pub struct ResponseCache<K> {
  inner: Cache<K, Slot>,
  removed: Arc<Mutex<Removed>>,
  next_id: u64,
  // With both caps every entry weighs at least max_bytes / max_entries, so the
  // one moka capacity (bytes) also bounds the number of entries.
  min_weight: u32,
  by_bytes: bool,
}

impl<K: Hash + Eq + Send + Sync + 'static> ResponseCache<K> {
  pub fn new(config: Config) -> Self {
    let removed = Arc::new(Mutex::new(Removed::default()));
    let sink = removed.clone();
    let (capacity, min_weight, by_bytes) = match (config.max_entries, config.max_bytes) {
      (entries, Some(bytes)) => {
        let per = entries.map_or(1, |n| bytes.div_ceil(n.max(1)));
        (bytes, per.clamp(1, u32::MAX as u64) as u32, true)
      }
      (entries, None) => (entries.unwrap_or(DEFAULT_ENTRIES), 1, false),
    };
    let mut builder = Cache::builder()
      .eviction_policy(EvictionPolicy::lru())
      .max_capacity(capacity)
      .weigher(|_k: &K, slot: &Slot| slot.weight)
      .eviction_listener(move |_k, slot: Slot, cause| {
        // A poisoned lock only means an earlier listener call panicked; the data is still a list of ids.
        let mut r = sink.lock().unwrap_or_else(|p| p.into_inner());
        r.ids.push(slot.id);
        match cause {
          RemovalCause::Size => r.evictions += 1,
          RemovalCause::Expired => r.expirations += 1,
          RemovalCause::Explicit | RemovalCause::Replaced => {}
        }
      });
    if let Some(ttl) = config.ttl_ms.filter(|t| t.is_finite() && *t > 0.0 && *t < MAX_TTL_MS) {
      builder = builder.time_to_live(Duration::from_secs_f64(ttl / 1000.0));
    }
    Self { inner: builder.build(), removed, next_id: 1, min_weight, by_bytes }
  }

  /// The id of a live entry.
  pub fn get<Q>(&self, key: &Q) -> Option<u64>
  where
    K: Borrow<Q>,
    Q: Hash + Eq + ?Sized,
  {
    self.inner.get(key).map(|slot| slot.id)
  }

  /// Stores `key` under a new id and settles moka's pending work, so the ids
  /// it removed (possibly this one, if it alone exceeds the bounds) are in `drain`.
  pub fn insert(&mut self, key: K, bytes: u64) -> u64 {
    let id = self.next_id;
    self.next_id += 1;
    let weight = if self.by_bytes { bytes.clamp(self.min_weight as u64, u32::MAX as u64) as u32 } else { 1 };
    self.inner.insert(key, Slot { id, weight });
    self.inner.run_pending_tasks();
    id
  }

  pub fn invalidate<Q>(&self, key: &Q)
  where
    K: Borrow<Q>,
    Q: Hash + Eq + ?Sized,
  {
    self.inner.invalidate(key);
  }

  pub fn clear(&self) {
    self.inner.invalidate_all();
    self.inner.run_pending_tasks();
  }

  /// Removes the oldest `fraction` (0..=1) of the entries; returns how many.
  pub fn shrink(&self, fraction: f64) -> usize {
    self.inner.run_pending_tasks();
    let mut all: Vec<(Arc<K>, u64)> = self.inner.iter().map(|(k, slot)| (k, slot.id)).collect();
    let n = ((all.len() as f64) * fraction.clamp(0.0, 1.0)).ceil() as usize;
    all.sort_unstable_by_key(|(_, id)| *id);
    for (key, _) in all.iter().take(n) {
      self.inner.invalidate(key.as_ref());
    }
    self.inner.run_pending_tasks();
    n.min(all.len())
  }

  /// Applies expirations and evictions now (moka otherwise waits for traffic).
  pub fn run_pending(&self) {
    self.inner.run_pending_tasks();
  }

  /// Ids removed since the last call: their values can be dropped.
  pub fn drain(&self) -> Vec<u64> {
    std::mem::take(&mut self.removed.lock().unwrap_or_else(|p| p.into_inner()).ids)
  }

  pub fn stats(&self) -> Stats {
    let r = self.removed.lock().unwrap_or_else(|p| p.into_inner());
    Stats {
      entries: self.inner.entry_count(),
      bytes: if self.by_bytes { self.inner.weighted_size() } else { 0 },
      evictions: r.evictions,
      expirations: r.expirations,
    }
  }
}
