//! What the OS says about this process, read off the JS thread: resident set
//! size, CPU time and (Linux) pressure stall information. Each reader returns
//! `None` where the platform has no such figure; the JS front then falls back
//! to `process.memoryUsage().rss` (README, MemoryManager).

#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Reading {
  pub rss_bytes: Option<f64>,
  /// User and system CPU time of the whole process, in microseconds.
  pub cpu_us: Option<(f64, f64)>,
}

/// The sampler's reader. On Linux it keeps its /proc files open: each sample is
/// then a seek and a read of each (~3 us warm), not a path lookup, an open
/// and a close (~10-15 us warm; cold after a second's sleep, more).
#[derive(Default)]
pub struct Probe {
  #[cfg(target_os = "linux")]
  statm: Option<std::fs::File>,
  #[cfg(target_os = "linux")]
  psi: Option<std::fs::File>,
}

impl Probe {
  pub fn new() -> Self {
    #[cfg(target_os = "linux")]
    {
      let open = |path: &str| std::fs::File::open(path).ok();
      Self {
        statm: open("/proc/self/statm"),
        psi: open("/sys/fs/cgroup/memory.pressure").or_else(|| open("/proc/pressure/memory")),
      }
    }
    #[cfg(not(target_os = "linux"))]
    Self::default()
  }

  pub fn read(&mut self) -> Reading {
    Reading { rss_bytes: self.rss(), cpu_us: cpu() }
  }

  #[cfg(target_os = "linux")]
  fn rss(&mut self) -> Option<f64> {
    extern "C" {
      fn sysconf(name: i32) -> i64;
    }
    const SC_PAGESIZE: i32 = 30;
    let statm = reread(self.statm.as_mut()?)?;
    let pages: f64 = statm.split_whitespace().nth(1)?.parse().ok()?;
    // SAFETY: sysconf has no preconditions; it returns -1 for an unknown name.
    let page = unsafe { sysconf(SC_PAGESIZE) };
    Some(pages * if page > 0 { page as f64 } else { 4096.0 })
  }

  #[cfg(not(target_os = "linux"))]
  fn rss(&mut self) -> Option<f64> {
    rss()
  }

  /// Linux PSI (the cgroup v2 `memory.pressure`, or `/proc/pressure/memory`):
  /// the share of the last 10 s in which some / all tasks waited for memory.
  pub fn os_pressure(&mut self) -> Option<(f64, f64)> {
    #[cfg(target_os = "linux")]
    return parse_psi(&reread(self.psi.as_mut()?)?);
    #[cfg(not(target_os = "linux"))]
    None
  }
}

/// A /proc or /sys file's current text: these files are generated afresh by each read from offset 0.
#[cfg(target_os = "linux")]
fn reread(file: &mut std::fs::File) -> Option<String> {
  use std::io::{Read, Seek, SeekFrom};
  file.seek(SeekFrom::Start(0)).ok()?;
  let mut text = String::with_capacity(256);
  file.read_to_string(&mut text).ok()?;
  Some(text)
}

#[cfg(target_os = "macos")]
fn rss() -> Option<f64> {
  #[repr(C)]
  struct MachTaskBasicInfo {
    virtual_size: u64,
    resident_size: u64,
    resident_size_max: u64,
    user_time: [i32; 2],
    system_time: [i32; 2],
    policy: i32,
    suspend_count: i32,
  }
  extern "C" {
    static mach_task_self_: u32;
    fn task_info(task: u32, flavor: i32, info: *mut i32, count: *mut u32) -> i32;
  }
  const MACH_TASK_BASIC_INFO: i32 = 20;
  let mut info = std::mem::MaybeUninit::<MachTaskBasicInfo>::zeroed();
  let mut count = (std::mem::size_of::<MachTaskBasicInfo>() / 4) as u32;
  // SAFETY: `info` is a writable buffer of `count` 32-bit words, the layout of
  // mach_task_basic_info; mach_task_self_ is the task port of this process.
  let status = unsafe { task_info(mach_task_self_, MACH_TASK_BASIC_INFO, info.as_mut_ptr().cast(), &mut count) };
  // SAFETY: zero-initialised, and filled by task_info on success.
  (status == 0).then(|| unsafe { info.assume_init() }.resident_size as f64)
}

#[cfg(windows)]
mod win {
  #[repr(C)]
  pub struct ProcessMemoryCounters {
    pub cb: u32,
    pub page_fault_count: u32,
    pub peak_working_set_size: usize,
    pub working_set_size: usize,
    pub quota_peak_paged_pool_usage: usize,
    pub quota_paged_pool_usage: usize,
    pub quota_peak_non_paged_pool_usage: usize,
    pub quota_non_paged_pool_usage: usize,
    pub pagefile_usage: usize,
    pub peak_pagefile_usage: usize,
  }
  #[link(name = "kernel32")]
  extern "system" {
    pub fn GetCurrentProcess() -> isize;
    pub fn K32GetProcessMemoryInfo(process: isize, counters: *mut ProcessMemoryCounters, cb: u32) -> i32;
    pub fn GetProcessTimes(process: isize, c: *mut u64, e: *mut u64, k: *mut u64, u: *mut u64) -> i32;
  }
}

#[cfg(windows)]
fn rss() -> Option<f64> {
  let mut c = std::mem::MaybeUninit::<win::ProcessMemoryCounters>::zeroed();
  let cb = std::mem::size_of::<win::ProcessMemoryCounters>() as u32;
  // SAFETY: `c` is a writable PROCESS_MEMORY_COUNTERS of `cb` bytes; the pseudo handle needs no closing.
  let ok = unsafe { win::K32GetProcessMemoryInfo(win::GetCurrentProcess(), c.as_mut_ptr(), cb) };
  // SAFETY: zero-initialised, and filled on success.
  (ok != 0).then(|| unsafe { c.assume_init() }.working_set_size as f64)
}

#[cfg(not(any(target_os = "linux", target_os = "macos", windows)))]
fn rss() -> Option<f64> {
  None
}

#[cfg(unix)]
fn cpu() -> Option<(f64, f64)> {
  #[repr(C)]
  struct TimeVal {
    sec: i64,
    #[cfg(target_os = "macos")]
    usec: i32,
    #[cfg(target_os = "macos")]
    _pad: i32,
    #[cfg(not(target_os = "macos"))]
    usec: i64,
  }
  #[repr(C)]
  struct RUsage {
    user: TimeVal,
    system: TimeVal,
    _rest: [i64; 16],
  }
  extern "C" {
    fn getrusage(who: i32, usage: *mut RUsage) -> i32;
  }
  let mut u = std::mem::MaybeUninit::<RUsage>::zeroed();
  // SAFETY: RUSAGE_SELF (0); `u` is larger than any platform's struct rusage
  // and starts with its two timevals, laid out as above.
  let ok = unsafe { getrusage(0, u.as_mut_ptr()) } == 0;
  // SAFETY: zero-initialised, and filled on success.
  let u = unsafe { u.assume_init() };
  let us = |t: &TimeVal| t.sec as f64 * 1e6 + t.usec as f64;
  ok.then(|| (us(&u.user), us(&u.system)))
}

#[cfg(windows)]
fn cpu() -> Option<(f64, f64)> {
  let (mut c, mut e, mut k, mut u) = (0u64, 0u64, 0u64, 0u64);
  // SAFETY: four writable FILETIMEs (u64-sized); the pseudo handle needs no closing.
  let ok = unsafe { win::GetProcessTimes(win::GetCurrentProcess(), &mut c, &mut e, &mut k, &mut u) } != 0;
  ok.then(|| (u as f64 / 10.0, k as f64 / 10.0))
}

#[cfg(not(any(unix, windows)))]
fn cpu() -> Option<(f64, f64)> {
  None
}

#[cfg_attr(not(target_os = "linux"), allow(dead_code))]
pub fn parse_psi(text: &str) -> Option<(f64, f64)> {
  let avg10 = |prefix: &str| -> Option<f64> {
    let line = text.lines().find(|l| l.starts_with(prefix))?;
    line.split_whitespace().find_map(|f| f.strip_prefix("avg10="))?.parse().ok()
  };
  Some((avg10("some")?, avg10("full").unwrap_or(0.0)))
}

#[cfg(test)]
mod tests {
  use super::*;

  #[test]
  fn reads_this_process_again_and_again() {
    let mut probe = Probe::new();
    let r = probe.read();
    if cfg!(any(target_os = "linux", target_os = "macos", windows)) {
      assert!(r.rss_bytes.unwrap() > 1e6);
      let (user, system) = r.cpu_us.unwrap();
      assert!(user >= 0.0 && system >= 0.0);
      // A kept-open file reads fresh figures: RSS follows a 64 MiB allocation that is touched.
      let grown = vec![1u8; 64 << 20];
      let after = probe.read().rss_bytes.unwrap();
      assert!(after >= r.rss_bytes.unwrap() + 32e6, "{after} after {:?}", r.rss_bytes);
      drop(std::hint::black_box(grown));
    }
    if std::path::Path::new("/proc/pressure/memory").exists() {
      assert!(probe.os_pressure().is_some() && probe.os_pressure().is_some());
    }
  }

  #[test]
  fn parses_psi() {
    let text = "some avg10=1.50 avg60=0.00 avg300=0.00 total=12\nfull avg10=0.25 avg60=0.00 avg300=0.00 total=3\n";
    assert_eq!(parse_psi(text), Some((1.5, 0.25)));
    assert_eq!(parse_psi("garbage"), None);
  }
}
