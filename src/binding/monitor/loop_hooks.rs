//! The watchdog's libuv handles on the JS thread's loop: prepare and check
//! hooks (signs of life on every turn) and an async handle the watchdog
//! thread pings when the loop has been quiet for half the threshold and is
//! not waiting for events (libuv's idle time, read through `LoopLink`). All
//! are unref'd (they never keep the process alive). They stop on `close()`, when
//! the monitor is collected, and in an env cleanup hook on environment
//! teardown, whichever comes first. Windows builds have no libuv symbols to
//! link against, so there `start` hands the watchdog back and JS drives it
//! with a heartbeat timer.
use super::{to_binding_stall, BindingStall, StallCallback};
use crate::monitor::sleeper::{PlainSleeper, Sleeper};
use crate::monitor::watchdog::{Shared, Watchdog};
use napi::sys;
use std::sync::{Arc, Mutex};

/// The loop as the watchdog thread may touch it: the async handle it pings
/// and libuv's idle time, once the hooks exist and until they are closed
/// (the lock keeps a ping or a read from racing the close).
#[derive(Clone, Default)]
pub(crate) struct LoopLink(Arc<Mutex<Option<Linked>>>);

#[derive(Clone, Copy)]
#[cfg_attr(not(unix), allow(dead_code))]
struct Linked {
  ping: usize,
  loop_: usize,
}

impl LoopLink {
  pub(crate) fn ping(&self) {
    #[cfg(unix)]
    if let Ok(link) = self.0.lock() {
      if let Some(link) = *link {
        // SAFETY: the handle is initialised and not yet closed while it is in the lock; uv_async_send is thread-safe.
        unsafe { uv::uv_async_send(link.ping as *mut std::ffi::c_void) };
      }
    }
  }

  /// libuv's provider idle time: it takes the loop's metrics lock, so any thread may read it.
  #[cfg_attr(not(target_os = "linux"), allow(dead_code))]
  fn idle_ns(&self) -> Option<u64> {
    #[cfg(unix)]
    if let Ok(link) = self.0.lock() {
      // SAFETY: the loop outlives its hooks, which are open while the link is set.
      return link.map(|l| unsafe { uv::uv_metrics_idle_time(l.loop_ as *mut std::ffi::c_void) });
    }
    None
  }

  #[cfg_attr(not(unix), allow(dead_code))]
  fn set(&self, link: Option<Linked>) {
    if let Ok(mut l) = self.0.lock() {
      *l = link;
    }
  }

  /// On Linux, a sleeper that sees the loop's wait and can sleep until the
  /// loop wakes (its backend fd); elsewhere a plain one, and pings.
  pub(crate) fn sleeper(&self, env: sys::napi_env) -> Box<dyn Sleeper> {
    // Test builds only: the benchmark measures the pinging watchdog (other
    // platforms, Electron's main process) beside this one.
    #[cfg(feature = "test-hooks")]
    if std::env::var_os("IPCFLOW_TEST_WATCHDOG_PINGS").is_some() {
      return Box::new(PlainSleeper::default());
    }
    #[cfg(target_os = "linux")]
    {
      let mut loop_ = std::ptr::null_mut();
      // SAFETY: `env` is the env of the current call, on its JS thread.
      if unsafe { sys::napi_get_uv_event_loop(env, &mut loop_) } == sys::Status::napi_ok && !loop_.is_null() {
        // SAFETY: `loop_` is this thread's live loop.
        let fd = unsafe { uv::uv_backend_fd(loop_.cast()) };
        let link = self.clone();
        if fd >= 0 {
          if let Ok(sleeper) = crate::monitor::sleeper::EpollSleeper::new(fd, move || link.idle_ns()) {
            return Box::new(sleeper);
          }
        }
      }
    }
    let _ = env;
    Box::new(PlainSleeper::default())
  }
}

pub(crate) struct LoopWatch {
  life: std::rc::Rc<Life>,
}

struct Life {
  dog: std::cell::RefCell<Option<Watchdog>>,
  shared: Arc<Shared>,
  #[cfg(unix)]
  hooks: std::cell::RefCell<Option<uv::Hooks>>,
  /// Set once the env cleanup hook's reference is released (by whichever side).
  hook_done: std::cell::Cell<bool>,
  env: sys::napi_env,
}

impl Life {
  fn shutdown(&self) {
    if let Some(mut dog) = self.dog.borrow_mut().take() {
      dog.stop();
    }
    #[cfg(unix)]
    if let Some(hooks) = self.hooks.borrow_mut().take() {
      hooks.close();
    }
  }
}

/// The state the libuv callbacks see through each handle's `data`.
#[cfg_attr(not(unix), allow(dead_code))]
struct HookState {
  shared: Arc<Shared>,
  on_stall: StallCallback,
}

unsafe extern "C" fn env_cleanup(arg: *mut std::ffi::c_void) {
  let life = arg as *const Life;
  // SAFETY: `arg` came from Rc::into_raw in `start`; `hook_done` says whether that reference is still ours.
  unsafe {
    (*life).shutdown();
    if !(*life).hook_done.replace(true) {
      drop(std::rc::Rc::from_raw(life));
    }
  }
}

impl LoopWatch {
  #[cfg(unix)]
  pub(crate) fn start(
    env: sys::napi_env,
    dog: Watchdog,
    link: LoopLink,
    on_stall: StallCallback,
  ) -> Result<Self, Watchdog> {
    let shared = dog.shared().clone();
    let state = Arc::new(HookState { shared: shared.clone(), on_stall });
    // SAFETY: `env` is the env of the current call, on its JS thread.
    let Some(hooks) = (unsafe { uv::Hooks::start(env, state, link) }) else { return Err(dog) };
    let life = std::rc::Rc::new(Life {
      dog: std::cell::RefCell::new(Some(dog)),
      shared,
      hooks: std::cell::RefCell::new(Some(hooks)),
      hook_done: std::cell::Cell::new(false),
      env,
    });
    let arg = std::rc::Rc::into_raw(life.clone()) as *mut std::ffi::c_void;
    // SAFETY: `env` is live on this thread; `arg` stays valid until the hook or `stop` releases it.
    if unsafe { sys::napi_add_env_cleanup_hook(env, Some(env_cleanup), arg) } != sys::Status::napi_ok {
      life.hook_done.set(true);
      // SAFETY: the hook was not registered, so this reference is still ours.
      drop(unsafe { std::rc::Rc::from_raw(arg as *const Life) });
    }
    Ok(Self { life })
  }

  #[cfg(not(unix))]
  pub(crate) fn start(
    _env: sys::napi_env,
    dog: Watchdog,
    _link: LoopLink,
    _on_stall: StallCallback,
  ) -> Result<Self, Watchdog> {
    Err(dog)
  }

  pub(crate) fn shared(&self) -> Arc<Shared> {
    self.life.shared.clone()
  }

  /// On the JS thread: stops the thread and hooks, and drops the env cleanup hook.
  pub(crate) fn stop(&mut self, env: sys::napi_env) {
    self.life.shutdown();
    if !self.life.hook_done.replace(true) {
      let arg = std::rc::Rc::as_ptr(&self.life) as *mut std::ffi::c_void;
      debug_assert_eq!(env, self.life.env);
      // SAFETY: same env/function/arg as registered; the hook has not run, so its reference is ours to release.
      unsafe {
        sys::napi_remove_env_cleanup_hook(self.life.env, Some(env_cleanup), arg);
        drop(std::rc::Rc::from_raw(arg as *const Life));
      }
    }
  }
}

#[cfg_attr(not(unix), allow(dead_code))]
fn deliver(state: &HookState) {
  if let Some(stall) = state.shared.alive() {
    let stall: BindingStall = to_binding_stall(stall);
    // Weak and non-blocking: at teardown the call fails and nothing waits.
    let _ = state.on_stall.call(stall, napi::threadsafe_function::ThreadsafeFunctionCallMode::NonBlocking);
  }
}

#[cfg(unix)]
mod uv {
  use super::{deliver, HookState, Linked, LoopLink};
  use napi::sys;
  use std::ffi::{c_int, c_void};
  use std::sync::Arc;

  const UV_ASYNC: c_int = 1;
  const UV_CHECK: c_int = 2;
  const UV_PREPARE: c_int = 9;

  // The host (Node or Electron) exports libuv; the addon resolves these at load time.
  extern "C" {
    fn uv_handle_size(kind: c_int) -> usize;
    fn uv_prepare_init(loop_: *mut c_void, handle: *mut c_void) -> c_int;
    fn uv_prepare_start(handle: *mut c_void, cb: unsafe extern "C" fn(*mut c_void)) -> c_int;
    fn uv_prepare_stop(handle: *mut c_void) -> c_int;
    fn uv_check_init(loop_: *mut c_void, handle: *mut c_void) -> c_int;
    fn uv_check_start(handle: *mut c_void, cb: unsafe extern "C" fn(*mut c_void)) -> c_int;
    fn uv_check_stop(handle: *mut c_void) -> c_int;
    fn uv_async_init(loop_: *mut c_void, handle: *mut c_void, cb: unsafe extern "C" fn(*mut c_void)) -> c_int;
    pub(super) fn uv_async_send(handle: *mut c_void) -> c_int;
    pub(super) fn uv_metrics_idle_time(loop_: *mut c_void) -> u64;
    #[cfg_attr(not(target_os = "linux"), allow(dead_code))]
    pub(super) fn uv_backend_fd(loop_: *const c_void) -> c_int;
    fn uv_unref(handle: *mut c_void);
    fn uv_close(handle: *mut c_void, cb: unsafe extern "C" fn(*mut c_void));
  }

  pub(super) struct Hooks {
    prepare: *mut c_void,
    check: *mut c_void,
    ping: *mut c_void,
    link: LoopLink,
  }

  /// A zeroed, 8-aligned block for a handle of `kind`; its first field is `void* data`.
  fn alloc(kind: c_int) -> *mut c_void {
    // SAFETY: uv_handle_size only reads its argument.
    let words = unsafe { uv_handle_size(kind) }.div_ceil(8);
    Box::into_raw(vec![0u64; words].into_boxed_slice()) as *mut c_void
  }

  unsafe extern "C" fn free_prepare(handle: *mut c_void) {
    // SAFETY: libuv calls this once, after the handle is closed; `data` holds our Arc.
    unsafe { free(handle, UV_PREPARE) }
  }

  unsafe extern "C" fn free_check(handle: *mut c_void) {
    // SAFETY: as free_prepare.
    unsafe { free(handle, UV_CHECK) }
  }

  unsafe extern "C" fn free_async(handle: *mut c_void) {
    // SAFETY: as free_prepare.
    unsafe { free(handle, UV_ASYNC) }
  }

  unsafe fn free(handle: *mut c_void, kind: c_int) {
    // SAFETY: `handle` came from `alloc(kind)` and is closed; `data` is an Arc::into_raw.
    unsafe {
      let data = *(handle as *mut *const HookState);
      if !data.is_null() {
        drop(Arc::from_raw(data));
      }
      let words = uv_handle_size(kind).div_ceil(8);
      drop(Box::from_raw(std::ptr::slice_from_raw_parts_mut(handle as *mut u64, words)));
    }
  }

  unsafe extern "C" fn on_prepare(handle: *mut c_void) {
    // SAFETY: `data` holds a live Arc<HookState> until the handle is closed.
    let state = unsafe { &**(handle as *mut *const HookState) };
    let _ = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| deliver(state)));
  }

  // The check hook and the ping's callback are signs of life as well.
  unsafe extern "C" fn on_check(handle: *mut c_void) {
    // SAFETY: as on_prepare.
    unsafe { on_prepare(handle) }
  }

  impl Hooks {
    /// # Safety
    /// `env` is the current env, called on its JS thread.
    pub(super) unsafe fn start(env: sys::napi_env, state: Arc<HookState>, link: LoopLink) -> Option<Self> {
      let mut loop_ = std::ptr::null_mut();
      // SAFETY: per the contract above.
      if unsafe { sys::napi_get_uv_event_loop(env, &mut loop_) } != sys::Status::napi_ok || loop_.is_null() {
        return None;
      }
      let (prepare, check, ping) = (alloc(UV_PREPARE), alloc(UV_CHECK), alloc(UV_ASYNC));
      // SAFETY: each block is large enough for its handle kind; `loop_` is this thread's live loop;
      // `data` (the first field) is set after init, which clears it.
      unsafe {
        uv_prepare_init(loop_.cast(), prepare);
        uv_check_init(loop_.cast(), check);
        uv_async_init(loop_.cast(), ping, on_check);
        *(prepare as *mut *const HookState) = Arc::into_raw(state.clone());
        *(check as *mut *const HookState) = Arc::into_raw(state.clone());
        *(ping as *mut *const HookState) = Arc::into_raw(state);
        uv_prepare_start(prepare, on_prepare);
        uv_check_start(check, on_check);
        uv_unref(prepare);
        uv_unref(check);
        uv_unref(ping);
      }
      link.set(Some(Linked { ping: ping as usize, loop_: loop_ as usize }));
      Some(Self { prepare, check, ping, link })
    }

    /// Stops the hooks and the ping; libuv frees them (and their state) after the close.
    pub(super) fn close(self) {
      self.link.set(None); // no ping or idle read can reach the loop from here on
                           // SAFETY: on the JS thread that owns the loop; each handle is closed exactly once (self is consumed).
      unsafe {
        uv_prepare_stop(self.prepare);
        uv_check_stop(self.check);
        uv_close(self.prepare, free_prepare);
        uv_close(self.check, free_check);
        uv_close(self.ping, free_async);
      }
    }
  }
}
