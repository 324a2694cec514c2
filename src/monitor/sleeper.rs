//! How the watchdog thread sleeps, and what it can see of the JS thread's
//! event loop without waking that thread. A plain sleeper sees nothing, so the
//! watchdog pings an idle loop (a wake of both threads per half threshold). On
//! Linux, `EpollSleeper` reads libuv's idle accounting and can sleep until the
//! loop has an event to handle, so an idle loop costs neither thread a wake.
use std::sync::{Condvar, Mutex};
use std::time::Duration;

pub trait Sleeper: Send + Sync {
  /// Sleeps up to `timeout`, less if `wake` is called; with `until_loop_wakes`,
  /// also returns once the loop has an event to handle.
  fn sleep(&self, timeout: Duration, until_loop_wakes: bool);
  /// Ends the current or the next `sleep` early; from any thread.
  fn wake(&self);
  /// ns the loop has spent blocked waiting for events (libuv's provider idle
  /// time), while it can be read; `None` means the watchdog must ping.
  fn loop_idle_ns(&self) -> Option<u64>;
}

/// Sleeps on a condition variable and sees no loop.
#[derive(Default)]
pub struct PlainSleeper {
  woken: Mutex<bool>,
  cv: Condvar,
}

impl Sleeper for PlainSleeper {
  fn sleep(&self, timeout: Duration, _until_loop_wakes: bool) {
    let Ok(woken) = self.woken.lock() else { return std::thread::sleep(timeout) };
    let Ok((mut woken, _)) = self.cv.wait_timeout_while(woken, timeout, |w| !*w) else { return };
    *woken = false;
  }

  fn wake(&self) {
    if let Ok(mut woken) = self.woken.lock() {
      *woken = true;
      self.cv.notify_one();
    }
  }

  fn loop_idle_ns(&self) -> Option<u64> {
    None
  }
}

#[cfg(target_os = "linux")]
pub use epoll::EpollSleeper;

#[cfg(target_os = "linux")]
mod epoll {
  use super::Sleeper;
  use std::io;
  use std::os::fd::{AsRawFd, FromRawFd, OwnedFd, RawFd};
  use std::time::Duration;

  type IdleNs = Box<dyn Fn() -> Option<u64> + Send + Sync>;

  /// Sleeps in epoll. `sleep_set` holds an eventfd (`wake`); `park_set` holds
  /// it and, one-shot, the loop's own pollable fd (libuv's `uv_backend_fd`, an
  /// epoll fd itself), re-armed for each parked sleep: the pattern libuv
  /// documents for polling a loop from another thread.
  pub struct EpollSleeper {
    sleep_set: OwnedFd,
    park_set: OwnedFd,
    wake_fd: OwnedFd,
    loop_fd: RawFd,
    idle_ns: IdleNs,
  }

  fn check(r: i32) -> io::Result<i32> {
    if r < 0 {
      Err(io::Error::last_os_error())
    } else {
      Ok(r)
    }
  }

  fn owned(r: i32) -> io::Result<OwnedFd> {
    // SAFETY: `r` is a new descriptor that nothing else owns.
    check(r).map(|fd| unsafe { OwnedFd::from_raw_fd(fd) })
  }

  fn watch(set: &OwnedFd, op: i32, fd: RawFd, events: u32) -> io::Result<()> {
    let mut event = libc::epoll_event { events, u64: fd as u64 };
    // SAFETY: `set` is an epoll descriptor we own; `event` is a valid epoll_event.
    check(unsafe { libc::epoll_ctl(set.as_raw_fd(), op, fd, &mut event) }).map(drop)
  }

  const LOOP_EVENTS: u32 = (libc::EPOLLIN | libc::EPOLLONESHOT) as u32;

  impl EpollSleeper {
    /// `loop_fd` must stay open while this sleeper may park (a closed one only
    /// makes parked sleeps end by timeout); `idle_ns` reads the loop's idle time.
    pub fn new(loop_fd: RawFd, idle_ns: impl Fn() -> Option<u64> + Send + Sync + 'static) -> io::Result<Self> {
      // SAFETY: plain syscalls creating descriptors.
      let (sleep_set, park_set, wake_fd) = unsafe {
        (
          owned(libc::epoll_create1(libc::EPOLL_CLOEXEC))?,
          owned(libc::epoll_create1(libc::EPOLL_CLOEXEC))?,
          owned(libc::eventfd(0, libc::EFD_CLOEXEC | libc::EFD_NONBLOCK))?,
        )
      };
      watch(&sleep_set, libc::EPOLL_CTL_ADD, wake_fd.as_raw_fd(), libc::EPOLLIN as u32)?;
      watch(&park_set, libc::EPOLL_CTL_ADD, wake_fd.as_raw_fd(), libc::EPOLLIN as u32)?;
      watch(&park_set, libc::EPOLL_CTL_ADD, loop_fd, LOOP_EVENTS)?;
      Ok(Self { sleep_set, park_set, wake_fd, loop_fd, idle_ns: Box::new(idle_ns) })
    }
  }

  impl Sleeper for EpollSleeper {
    fn sleep(&self, timeout: Duration, until_loop_wakes: bool) {
      let armed = until_loop_wakes && watch(&self.park_set, libc::EPOLL_CTL_MOD, self.loop_fd, LOOP_EVENTS).is_ok();
      let set = if armed { &self.park_set } else { &self.sleep_set };
      let mut events = [libc::epoll_event { events: 0, u64: 0 }; 2];
      let ms = timeout.as_nanos().div_ceil(1_000_000).min(i32::MAX as u128) as i32;
      // SAFETY: `set` is our epoll descriptor and `events` has room for 2 entries.
      let n = unsafe { libc::epoll_wait(set.as_raw_fd(), events.as_mut_ptr(), 2, ms) };
      let woken = events.iter().take(n.max(0) as usize).any(|e| e.u64 == self.wake_fd.as_raw_fd() as u64);
      if woken {
        let mut count = 0u64;
        // SAFETY: reads 8 bytes into `count` from our non-blocking eventfd (resets it).
        unsafe { libc::read(self.wake_fd.as_raw_fd(), (&mut count as *mut u64).cast(), 8) };
      }
    }

    fn wake(&self) {
      let one = 1u64;
      // SAFETY: writes 8 bytes from `one` to our eventfd; a full counter only fails the write.
      unsafe { libc::write(self.wake_fd.as_raw_fd(), (&one as *const u64).cast(), 8) };
    }

    fn loop_idle_ns(&self) -> Option<u64> {
      (self.idle_ns)()
    }
  }
}

#[cfg(test)]
mod tests {
  use super::*;
  use std::sync::Arc;
  use std::time::Instant;

  #[test]
  fn a_plain_sleeper_wakes_early_and_remembers_a_wake_sent_before_it_slept() {
    let s = Arc::new(PlainSleeper::default());
    s.wake();
    let t = Instant::now();
    s.sleep(Duration::from_secs(5), true);
    assert!(t.elapsed() < Duration::from_secs(1));
    let waker = s.clone();
    let h = std::thread::spawn(move || {
      std::thread::sleep(Duration::from_millis(30));
      waker.wake();
    });
    let t = Instant::now();
    s.sleep(Duration::from_secs(5), false);
    assert!(t.elapsed() < Duration::from_secs(1));
    h.join().unwrap();
    let t = Instant::now();
    s.sleep(Duration::from_millis(20), false);
    assert!(t.elapsed() >= Duration::from_millis(19));
    assert_eq!(s.loop_idle_ns(), None);
  }

  #[cfg(target_os = "linux")]
  #[test]
  fn an_epoll_sleeper_parks_until_the_loop_has_an_event_but_a_plain_sleep_ignores_it() {
    use std::os::fd::{AsRawFd, FromRawFd, OwnedFd};
    // A loop like libuv's: an epoll set watching a pipe.
    let mut fds = [0; 2];
    // SAFETY: test set-up syscalls on descriptors this test owns.
    let (inner, read, write) = unsafe {
      assert_eq!(libc::pipe2(fds.as_mut_ptr(), libc::O_CLOEXEC), 0);
      let inner = OwnedFd::from_raw_fd(libc::epoll_create1(libc::EPOLL_CLOEXEC));
      let mut e = libc::epoll_event { events: libc::EPOLLIN as u32, u64: 0 };
      assert_eq!(libc::epoll_ctl(inner.as_raw_fd(), libc::EPOLL_CTL_ADD, fds[0], &mut e), 0);
      (inner, OwnedFd::from_raw_fd(fds[0]), OwnedFd::from_raw_fd(fds[1]))
    };
    let s = Arc::new(EpollSleeper::new(inner.as_raw_fd(), || Some(7)).unwrap());
    assert_eq!(s.loop_idle_ns(), Some(7));
    let t = Instant::now();
    s.sleep(Duration::from_millis(30), true);
    assert!(t.elapsed() >= Duration::from_millis(29), "a quiet loop parks until the timeout");
    let poke = |fd: &OwnedFd| {
      // SAFETY: writes one byte to the test's pipe.
      unsafe { libc::write(fd.as_raw_fd(), b"x".as_ptr().cast(), 1) };
    };
    poke(&write);
    let t = Instant::now();
    s.sleep(Duration::from_millis(200), false);
    assert!(t.elapsed() >= Duration::from_millis(199), "a plain sleep ignores the loop");
    let t = Instant::now();
    s.sleep(Duration::from_secs(5), true);
    assert!(t.elapsed() < Duration::from_secs(1), "a parked sleep ends when the loop has an event");
    let waker = s.clone();
    let h = std::thread::spawn(move || {
      std::thread::sleep(Duration::from_millis(30));
      waker.wake();
    });
    let mut byte = 0u8;
    // SAFETY: drains the test's pipe, so the loop is quiet again.
    unsafe { libc::read(read.as_raw_fd(), (&mut byte as *mut u8).cast(), 1) };
    let t = Instant::now();
    s.sleep(Duration::from_secs(5), true);
    assert!(t.elapsed() < Duration::from_secs(1), "wake ends a parked sleep");
    h.join().unwrap();
  }
}
