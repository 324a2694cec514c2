//! Range rules for BatchManager options. The JS front checks JS types; this
//! decides what values are meaningful, names the failing argument, and fills
//! defaults, so both the binding and `cargo test` share one definition.

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Overflow {
  DropOldest,
  DropNewest,
}

impl Overflow {
  pub fn as_str(self) -> &'static str {
    match self {
      Overflow::DropOldest => "drop-oldest",
      Overflow::DropNewest => "drop-newest",
    }
  }
}

/// Options as they arrive: every field optional, numbers as JS numbers.
#[derive(Clone, Debug, Default)]
pub struct RawBatchOptions {
  pub max_batch_size: Option<f64>,
  pub max_wait_ms: Option<f64>,
  pub low_priority_wait_ms: Option<f64>,
  pub max_batch_bytes: Option<f64>,
  pub max_queue_size: Option<f64>,
  pub overflow: Option<String>,
  pub wait_sample_every: Option<f64>,
  pub max_frames_in_flight: Option<f64>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct BatchConfig {
  pub max_batch_size: u32,
  pub max_wait_ms: f64,
  pub low_priority_wait_ms: f64,
  /// 0 means no byte limit (and no per-message size estimate).
  pub max_batch_bytes: f64,
  pub max_queue_size: u32,
  pub overflow: Overflow,
  pub wait_sample_every: u32,
  /// Unacknowledged frames a flow-controlled target may have; 0 turns it off.
  pub max_frames_in_flight: u32,
}

#[derive(Clone, Debug, PartialEq)]
pub struct ConfigIssue {
  pub argument: String,
  pub message: String,
}

pub const DEFAULT_MAX_BATCH_SIZE: u32 = 50;
pub const DEFAULT_MAX_WAIT_MS: f64 = 16.0;
pub const DEFAULT_MAX_QUEUE_SIZE: u32 = 10_000;
pub const DEFAULT_WAIT_SAMPLE_EVERY: u32 = 8;
pub const DEFAULT_MAX_FRAMES_IN_FLIGHT: u32 = 16;
const MAX_WAIT_LIMIT_MS: f64 = 60_000.0;
const MAX_COUNT: f64 = 10_000_000.0;

fn issue(argument: &str, message: String) -> ConfigIssue {
  ConfigIssue { argument: format!("options.{argument}"), message: format!("options.{argument} {message}") }
}

fn integer(name: &str, value: Option<f64>, default: u32, min: u32) -> Result<u32, ConfigIssue> {
  let Some(v) = value else { return Ok(default) };
  if !v.is_finite() || v.fract() != 0.0 || v < min as f64 || v > MAX_COUNT {
    return Err(issue(name, format!("must be an integer from {min} to {MAX_COUNT} (got {v})")));
  }
  Ok(v as u32)
}

fn millis(name: &str, value: Option<f64>, default: f64, min: f64) -> Result<f64, ConfigIssue> {
  let Some(v) = value else { return Ok(default) };
  if !v.is_finite() || v < min || v > MAX_WAIT_LIMIT_MS {
    return Err(issue(name, format!("must be a number of milliseconds from {min} to {MAX_WAIT_LIMIT_MS} (got {v})")));
  }
  Ok(v)
}

impl BatchConfig {
  pub fn from_raw(raw: &RawBatchOptions) -> Result<Self, ConfigIssue> {
    let max_batch_size = integer("maxBatchSize", raw.max_batch_size, DEFAULT_MAX_BATCH_SIZE, 1)?;
    let max_wait_ms = millis("maxWaitMs", raw.max_wait_ms, DEFAULT_MAX_WAIT_MS, 0.0)?;
    let low_priority_wait_ms =
      millis("lowPriorityWaitMs", raw.low_priority_wait_ms, (max_wait_ms * 4.0).min(MAX_WAIT_LIMIT_MS), max_wait_ms)?;
    let max_batch_bytes = match raw.max_batch_bytes {
      None => 0.0,
      Some(v) if v == f64::INFINITY => 0.0,
      Some(v) if v.is_finite() && v >= 1.0 => v.floor(),
      Some(v) => return Err(issue("maxBatchBytes", format!("must be a number of bytes >= 1 or Infinity (got {v})"))),
    };
    let default_queue = DEFAULT_MAX_QUEUE_SIZE.max(max_batch_size);
    let max_queue_size = integer("maxQueueSize", raw.max_queue_size, default_queue, max_batch_size)?;
    let overflow = match raw.overflow.as_deref() {
      None | Some("drop-oldest") => Overflow::DropOldest,
      Some("drop-newest") => Overflow::DropNewest,
      Some(other) => {
        return Err(issue("overflow", format!("must be 'drop-oldest' or 'drop-newest' (got '{other}')")));
      }
    };
    let wait_sample_every = integer("waitSampleEvery", raw.wait_sample_every, DEFAULT_WAIT_SAMPLE_EVERY, 1)?;
    let max_frames_in_flight = match raw.max_frames_in_flight {
      Some(0.0) => 0,
      other => integer("maxFramesInFlight", other, DEFAULT_MAX_FRAMES_IN_FLIGHT, 2)?,
    };
    Ok(Self {
      max_batch_size,
      max_wait_ms,
      low_priority_wait_ms,
      max_batch_bytes,
      max_queue_size,
      overflow,
      wait_sample_every,
      max_frames_in_flight,
    })
  }
}

#[cfg(test)]
mod tests {
  use super::*;

  #[test]
  fn defaults() {
    let c = BatchConfig::from_raw(&RawBatchOptions::default()).unwrap();
    assert_eq!(c.max_batch_size, 50);
    assert_eq!(c.max_wait_ms, 16.0);
    assert_eq!(c.low_priority_wait_ms, 64.0);
    assert_eq!(c.max_batch_bytes, 0.0);
    assert_eq!(c.max_queue_size, 10_000);
    assert_eq!(c.overflow, Overflow::DropOldest);
    assert_eq!(c.max_frames_in_flight, 16);
  }

  #[test]
  fn frames_in_flight_is_off_at_zero_and_at_least_two_otherwise() {
    let with = |v: f64| BatchConfig::from_raw(&RawBatchOptions { max_frames_in_flight: Some(v), ..Default::default() });
    assert_eq!(with(0.0).unwrap().max_frames_in_flight, 0);
    assert_eq!(with(4.0).unwrap().max_frames_in_flight, 4);
    assert_eq!(with(1.0).unwrap_err().argument, "options.maxFramesInFlight");
    assert_eq!(with(f64::NAN).unwrap_err().argument, "options.maxFramesInFlight");
  }

  #[test]
  fn names_the_failing_argument() {
    let bad = |raw: RawBatchOptions| BatchConfig::from_raw(&raw).unwrap_err();
    let e = bad(RawBatchOptions { max_wait_ms: Some(f64::NAN), ..Default::default() });
    assert_eq!(e.argument, "options.maxWaitMs");
    assert!(e.message.contains("NaN"));
    let e = bad(RawBatchOptions { max_batch_size: Some(-1.0), ..Default::default() });
    assert_eq!(e.argument, "options.maxBatchSize");
    let e = bad(RawBatchOptions { max_batch_size: Some(2.5), ..Default::default() });
    assert_eq!(e.argument, "options.maxBatchSize");
    let e = bad(RawBatchOptions { max_batch_bytes: Some(0.0), ..Default::default() });
    assert_eq!(e.argument, "options.maxBatchBytes");
    let e = bad(RawBatchOptions { overflow: Some("explode".into()), ..Default::default() });
    assert_eq!(e.argument, "options.overflow");
    let e = bad(RawBatchOptions { max_batch_size: Some(100.0), max_queue_size: Some(10.0), ..Default::default() });
    assert_eq!(e.argument, "options.maxQueueSize");
    let e = bad(RawBatchOptions { max_wait_ms: Some(20.0), low_priority_wait_ms: Some(5.0), ..Default::default() });
    assert_eq!(e.argument, "options.lowPriorityWaitMs");
  }

  #[test]
  fn infinity_turns_the_byte_limit_off() {
    let c = BatchConfig::from_raw(&RawBatchOptions { max_batch_bytes: Some(f64::INFINITY), ..Default::default() });
    assert_eq!(c.unwrap().max_batch_bytes, 0.0);
  }
}
