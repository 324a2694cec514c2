//! The sampler thread: every `interval` it reads the OS figures and hands a
//! `Tick` to its callback (which forwards it to the JS thread); every
//! `idle_check` it asks for an idle-task sweep. It stops when told, when its
//! owner drops it, or when the callback says the JS side is gone.
use super::platform;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::thread::{self, JoinHandle};
use std::time::{Duration, Instant};

#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Tick {
  /// Monotonic ms since the sampler started.
  pub at_ms: f64,
  /// True when this tick samples memory (else it only asks for an idle sweep).
  pub sample: bool,
  pub sweep: bool,
  pub rss_bytes: Option<f64>,
  /// Share of one core over the last interval, in percent.
  pub cpu_user_pct: f64,
  pub cpu_system_pct: f64,
  /// Linux PSI `(some avg10, full avg10)`.
  pub os_pressure: Option<(f64, f64)>,
}

pub struct Sampler {
  stop: Arc<AtomicBool>,
  thread: Option<JoinHandle<()>>,
}

impl Sampler {
  /// `on_tick` returns false when the receiver is gone: the thread then ends.
  pub fn start(
    interval: Duration,
    idle_check: Duration,
    mut on_tick: impl FnMut(Tick) -> bool + Send + 'static,
  ) -> std::io::Result<Self> {
    let stop = Arc::new(AtomicBool::new(false));
    let flag = stop.clone();
    let thread = thread::Builder::new().name("ipcflow-memory".into()).spawn(move || {
      let start = Instant::now();
      let (mut next_sample, mut next_sweep) = (Duration::ZERO, idle_check);
      let mut last_cpu: Option<(Instant, (f64, f64))> = None;
      let mut probe = platform::Probe::new();
      while !flag.load(Ordering::Acquire) {
        let now = start.elapsed();
        if now < next_sample.min(next_sweep) {
          thread::park_timeout(next_sample.min(next_sweep) - now);
          continue;
        }
        let mut tick = Tick { at_ms: now.as_secs_f64() * 1000.0, ..Tick::default() };
        if now >= next_sample {
          let reading = probe.read();
          tick.sample = true;
          tick.rss_bytes = reading.rss_bytes;
          tick.os_pressure = probe.os_pressure();
          if let Some(cpu) = reading.cpu_us {
            let taken = Instant::now();
            if let Some((at, before)) = last_cpu {
              let wall_us = taken.duration_since(at).as_secs_f64() * 1e6;
              if wall_us > 0.0 {
                tick.cpu_user_pct = 100.0 * (cpu.0 - before.0).max(0.0) / wall_us;
                tick.cpu_system_pct = 100.0 * (cpu.1 - before.1).max(0.0) / wall_us;
              }
            }
            last_cpu = Some((taken, cpu));
          }
          next_sample = now + interval;
        }
        if now >= next_sweep {
          tick.sweep = true;
          next_sweep = now + idle_check;
        }
        if !on_tick(tick) {
          break;
        }
      }
    })?;
    Ok(Self { stop, thread: Some(thread) })
  }

  pub fn stop(&mut self) {
    self.stop.store(true, Ordering::Release);
    if let Some(t) = self.thread.take() {
      t.thread().unpark();
    }
  }
}

impl Drop for Sampler {
  fn drop(&mut self) {
    self.stop();
  }
}

#[cfg(test)]
mod tests {
  use super::*;
  use std::sync::mpsc;

  #[test]
  fn ticks_sample_and_sweep_then_stop() {
    let (tx, rx) = mpsc::channel();
    let mut s =
      Sampler::start(Duration::from_millis(10), Duration::from_millis(25), move |t| tx.send(t).is_ok()).unwrap();
    // Ticks until 4 samples and a sweep came: which ticks carry which depends on how late the
    // thread runs on a loaded machine (a late tick takes both at once), not whether both come.
    let mut ticks: Vec<Tick> = Vec::new();
    while ticks.iter().filter(|t| t.sample).count() < 4 || !ticks.iter().any(|t| t.sweep) {
      assert!(ticks.len() < 1000, "{} ticks without 4 samples and a sweep", ticks.len());
      ticks.push(rx.recv_timeout(Duration::from_secs(10)).unwrap());
    }
    assert!(ticks.iter().all(|t| t.sample || t.sweep), "a tick carries a sample or a sweep");
    assert!(ticks.iter().all(|t| !t.sample || t.rss_bytes.is_some() || !cfg!(target_os = "linux")));
    s.stop();
    // Stopped: the thread ends and drops its callback (and with it the sender) once the tick it
    // was in is done. Ticks it sent before stay queued; after them, the channel disconnects.
    loop {
      match rx.recv_timeout(Duration::from_secs(10)) {
        Ok(_) => {}
        Err(mpsc::RecvTimeoutError::Disconnected) => break,
        Err(mpsc::RecvTimeoutError::Timeout) => panic!("the sampler thread did not stop"),
      }
    }
  }
}
