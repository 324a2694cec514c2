//! Size and depth caps: reading the numbers callers give, and the ceiling of
//! the walks that recurse with the data.
use super::{Issue, Seg};

/// Caps checked before (or while) a value is validated.
#[derive(Clone, Copy, Debug, Default)]
pub struct Limits {
  /// Estimated JSON text bytes; None: no cap.
  pub max_bytes: Option<f64>,
  /// Nested objects/arrays (the top-level container is 1); None: the default
  /// conversion depth, `NO_DEPTH_CAP`: no cap.
  pub max_depth: Option<u32>,
}

/// A depth cap that never trips.
pub const NO_DEPTH_CAP: u32 = u32::MAX;

/// Caps at or above 2^31 - 1 mean "no cap", like `Infinity`: the JS front used to
/// send that number for `Infinity` through 32-bit options, and both must agree.
const UNCAPPED_FROM: f64 = 2_147_483_647.0;

/// How deep the walks that recurse follow data: the plan following a `$ref`
/// (about 2 KB of native stack per level in a release build), and the copy to
/// `serde_json` for the `jsonschema` fallback and `uniqueItems` (which recurse
/// over it). 500 levels keep that near 1 MB, inside the smallest stack Node
/// gives a thread (a worker's 4 MB) even when JS called in from deep. Deeper
/// data is refused there with a `maxDepth` issue whatever the caps say. The caps
/// themselves are checked by an iterative walk (`check_limits`) with no ceiling,
/// and a plan without `$ref` recurses only as deep as the schema is written.
pub const WALK_CEILING: u32 = 500;

/// `maxBytes`: a number >= 0; `Infinity` (or >= 2^31 - 1) is no cap.
pub fn read_max_bytes(name: &str, v: f64) -> Result<f64, String> {
  if v.is_nan() || v < 0.0 {
    return Err(format!("{name} must be a number >= 0 or Infinity, got {v}"));
  }
  Ok(if v >= UNCAPPED_FROM { f64::INFINITY } else { v })
}

/// `maxDepth`: a number >= 1 (fractions round down); `Infinity` (or >= 2^31 - 1)
/// is `NO_DEPTH_CAP`.
pub fn read_max_depth(name: &str, v: f64) -> Result<u32, String> {
  if v.is_nan() || v < 1.0 {
    return Err(format!("{name} must be a number >= 1 or Infinity, got {v}"));
  }
  Ok(if v >= UNCAPPED_FROM { NO_DEPTH_CAP } else { v as u32 })
}

/// The issue for data nested deeper than `max_depth` allows.
pub(crate) fn too_deep(path: &[Seg<'_>], max_depth: u32) -> Issue {
  Issue::at(path, "maxDepth", format!("must NOT be nested deeper than {max_depth} levels"))
}

/// The issue for data deeper than a recursive walk follows (`WALK_CEILING`).
pub(crate) fn past_ceiling(path: &[Seg<'_>]) -> Issue {
  Issue::at(path, "maxDepth", format!("ipcflow's validator cannot walk deeper than {WALK_CEILING} levels here"))
}

/// Whether the plan may follow one more `$ref` after `hops` on the way to
/// `path`: the caller's cap counts hops (when within the ceiling), the ceiling
/// counts hops and data levels.
pub(crate) fn recursion_limit(path: &[Seg<'_>], hops: u32, max_depth: u32) -> Option<Issue> {
  if hops >= max_depth && max_depth <= WALK_CEILING {
    Some(too_deep(path, max_depth))
  } else if hops.max(path.len() as u32) >= WALK_CEILING {
    Some(past_ceiling(path))
  } else {
    None
  }
}
