//! `BindingResponseCache`: one channel's cache (src/cache) on the per-thread
//! handle table. Lookups on a hit path are raw Node-API functions from
//! `cacheFastCalls()`; the rest (miss path, invalidation, stats) are methods.
//! Two key forms exist side by side because bench/cache.js measures both:
//! a canonical string built in JS (`cacheGet`) and a native hash walk of the
//! argument list (`cacheGetArgs`); the JS front uses the faster (the string).
//! String keys are native text (src/text.rs): keys that differ in JS (by a lone
//! surrogate, say) are different keys here too.
mod walk;

use super::errors::{guard, guard_raw, Result};
use super::handles;
use super::text::{self, JsText};
use crate::cache::{Config, ResponseCache};
use napi::bindgen_prelude::*;
use napi::sys;
use napi_derive::napi;
use std::cell::RefCell;
use std::ptr::null_mut;

struct Entry {
  text: ResponseCache<String>,
  digest: ResponseCache<u128>,
}

thread_local! {
  static CACHES: handles::Table<Entry> = const { RefCell::new(Vec::new()) };
}

fn with_cache<R>(handle: u32, f: impl FnOnce(&mut Entry) -> R) -> Option<R> {
  handles::with(&CACHES, handle, f)
}

#[napi(object)]
pub struct BindingCacheStats {
  pub entries: f64,
  pub bytes: f64,
  pub evictions: f64,
  pub expirations: f64,
}

fn ids(list: Vec<u64>) -> Vec<f64> {
  list.into_iter().map(|id| id as f64).collect()
}

fn cap(value: Option<f64>) -> Option<u64> {
  value.filter(|v| v.is_finite() && *v >= 1.0).map(|v| v as u64)
}

/// Keys, weights, TTL and eviction of one channel's responses; the values stay in JS under the ids returned here.
#[napi]
pub struct BindingResponseCache {
  handle: u32,
}

#[napi]
impl BindingResponseCache {
  /// Caps absent or Infinity are unbounded in that dimension (the JS front checks ranges).
  #[napi(constructor)]
  pub fn new(ttl_ms: Option<f64>, max_entries: Option<f64>, max_bytes: Option<f64>) -> Result<Self> {
    guard("BindingResponseCache", || {
      let config = Config { ttl_ms, max_entries: cap(max_entries), max_bytes: cap(max_bytes) };
      let entry = Entry { text: ResponseCache::new(config), digest: ResponseCache::new(config) };
      Ok(Self { handle: handles::insert(&CACHES, entry)? })
    })
  }

  #[napi(getter)]
  pub fn handle(&self) -> Result<u32> {
    guard("BindingResponseCache.handle", || Ok(self.handle))
  }

  /// Stores `key`; returns `[id, ...ids removed]` (removed may include `id` itself when it alone exceeds maxBytes).
  #[napi(ts_args_type = "key: string, bytes: number")]
  pub fn insert(&self, key: JsText, bytes: f64) -> Result<Vec<f64>> {
    guard("BindingResponseCache.insert", || {
      let out = with_cache(self.handle, |c| {
        let id = c.text.insert(key.0, bytes.max(0.0) as u64);
        let mut out = vec![id as f64];
        out.extend(ids(c.text.drain()));
        out
      });
      Ok(out.unwrap_or_default())
    })
  }

  /// As `insert`, keyed by the native hash of the argument list; `[]` when the arguments have no canonical key.
  #[napi(ts_args_type = "args: unknown[], bytes: number")]
  pub fn insert_args(&self, env: &Env, args: Unknown, bytes: f64) -> Result<Vec<f64>> {
    guard("BindingResponseCache.insertArgs", || {
      // SAFETY: env and args belong to this callback, on the JS thread.
      let digest = unsafe { walk::digest(env.raw(), args.raw()) };
      let Some(digest) = digest else { return Ok(Vec::new()) };
      let out = with_cache(self.handle, |c| {
        let id = c.digest.insert(digest, bytes.max(0.0) as u64);
        let mut out = vec![id as f64];
        out.extend(ids(c.digest.drain()));
        out
      });
      Ok(out.unwrap_or_default())
    })
  }

  /// Removes one key; returns the ids removed.
  #[napi(ts_args_type = "key: string")]
  pub fn invalidate(&self, key: JsText) -> Result<Vec<f64>> {
    guard("BindingResponseCache.invalidate", || {
      Ok(
        with_cache(self.handle, |c| {
          c.text.invalidate(key.0.as_str());
          ids(c.text.drain())
        })
        .unwrap_or_default(),
      )
    })
  }

  /// Removes every entry; returns the ids removed.
  #[napi]
  pub fn clear(&self) -> Result<Vec<f64>> {
    guard("BindingResponseCache.clear", || {
      Ok(
        with_cache(self.handle, |c| {
          c.text.clear();
          c.digest.clear();
          let mut out = ids(c.text.drain());
          out.extend(ids(c.digest.drain()));
          out
        })
        .unwrap_or_default(),
      )
    })
  }

  /// Removes the oldest `fraction` (0..1) of the entries; returns the ids removed.
  #[napi]
  pub fn shrink(&self, fraction: f64) -> Result<Vec<f64>> {
    guard("BindingResponseCache.shrink", || {
      Ok(
        with_cache(self.handle, |c| {
          c.text.shrink(fraction);
          ids(c.text.drain())
        })
        .unwrap_or_default(),
      )
    })
  }

  /// Applies due expirations and evictions; returns the ids removed since the last call.
  #[napi]
  pub fn drain(&self) -> Result<Vec<f64>> {
    guard("BindingResponseCache.drain", || {
      Ok(
        with_cache(self.handle, |c| {
          c.text.run_pending();
          ids(c.text.drain())
        })
        .unwrap_or_default(),
      )
    })
  }

  #[napi]
  pub fn stats(&self) -> Result<BindingCacheStats> {
    guard("BindingResponseCache.stats", || {
      let s = with_cache(self.handle, |c| {
        c.text.run_pending();
        c.text.stats()
      })
      .unwrap_or_default();
      Ok(BindingCacheStats {
        entries: s.entries as f64,
        bytes: s.bytes as f64,
        evictions: s.evictions as f64,
        expirations: s.expirations as f64,
      })
    })
  }
}

impl Drop for BindingResponseCache {
  fn drop(&mut self) {
    handles::remove(&CACHES, self.handle);
  }
}

/// `cacheGet(handle, key)`: the id stored under `key`, or -1.
unsafe extern "C" fn raw_cache_get(env: sys::napi_env, info: sys::napi_callback_info) -> sys::napi_value {
  guard_raw("cacheGet", env, || {
    let mut argc = 2usize;
    let mut argv = [null_mut(); 2];
    let mut handle = u32::MAX;
    // SAFETY: env and info belong to this callback; argv has room for argc values (missing ones
    // read as undefined); out-params are valid locals; argv[1] is a value of this call.
    let id = unsafe {
      sys::napi_get_cb_info(env, info, &mut argc, argv.as_mut_ptr(), null_mut(), null_mut());
      sys::napi_get_value_uint32(env, argv[0], &mut handle);
      let found = text::with_text(env, argv[1], |key| with_cache(handle, |c| c.text.get(key)).flatten());
      if found.is_none() {
        sys::napi_throw_type_error(env, c"E_INTERNAL".as_ptr(), c"ipcflow: cacheGet key must be a string".as_ptr());
      }
      found.flatten()
    };
    // SAFETY: as above.
    unsafe { walk::number(env, id.map_or(-1.0, |id| id as f64)) }
  })
}

/// `cacheGetArgs(handle, args)`: the id stored under the native hash of `args`, -1 when absent, -2 when `args` has no canonical key.
unsafe extern "C" fn raw_cache_get_args(env: sys::napi_env, info: sys::napi_callback_info) -> sys::napi_value {
  guard_raw("cacheGetArgs", env, || {
    let mut argc = 2usize;
    let mut argv = [null_mut(); 2];
    let mut handle = u32::MAX;
    // SAFETY: env and info belong to this callback; argv has room for argc values.
    let digest = unsafe {
      sys::napi_get_cb_info(env, info, &mut argc, argv.as_mut_ptr(), null_mut(), null_mut());
      sys::napi_get_value_uint32(env, argv[0], &mut handle);
      walk::digest(env, argv[1])
    };
    let out = match digest {
      None => -2.0,
      Some(d) => with_cache(handle, |c| c.digest.get(&d)).flatten().map_or(-1.0, |id| id as f64),
    };
    // SAFETY: as above.
    unsafe { walk::number(env, out) }
  })
}

/// The hit-path lookups as raw Node-API functions: `cacheGet(handle, key)` and `cacheGetArgs(handle, args)`.
#[napi(
  ts_return_type = "{ cacheGet(handle: number, key: string): number; cacheGetArgs(handle: number, args: unknown[]): number }"
)]
pub fn cache_fast_calls(env: &Env) -> Result<Object<'_>> {
  guard("cacheFastCalls", || {
    let mut out = Object::new(env)?;
    // SAFETY: env is this callback's env; the functions are valid napi callbacks.
    unsafe {
      out.set_named_property("cacheGet", walk::function(env.raw(), c"cacheGet", raw_cache_get)?)?;
      out.set_named_property("cacheGetArgs", walk::function(env.raw(), c"cacheGetArgs", raw_cache_get_args)?)?;
    }
    Ok(out)
  })
}
