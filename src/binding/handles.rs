//! Per-JS-thread tables of native state addressed by a small integer handle.
//! Hot calls take the handle as a plain argument: a napi-rs class method costs
//! ~250 ns (unwrapping `this`), a plain function ~45 ns (README, "How it is
//! built, and why"); raw Node-API functions (`fastCalls()`) skip even napi-rs's
//! argument wrapper. Each worker env runs
//! on its own thread and so gets its own table; a class object owns each
//! entry's lifetime and removes it when collected.
use napi::{Error, Result, Status};
use std::cell::RefCell;
use std::thread::LocalKey;

pub(crate) type Table<T> = RefCell<Vec<Option<T>>>;
pub(crate) type Key<T> = LocalKey<Table<T>>;

pub(crate) fn insert<T: 'static>(table: &'static Key<T>, value: T) -> Result<u32> {
  table
    .try_with(|all| {
      let mut all = all.borrow_mut();
      let index = all.iter().position(Option::is_none).unwrap_or(all.len());
      if index == all.len() {
        all.push(None);
      }
      all[index] = Some(value);
      index as u32
    })
    .map_err(|_| Error::new(Status::GenericFailure, "ipcflow: environment is shutting down"))
}

/// `None` for an unknown handle, or when the thread's table is already gone.
pub(crate) fn with<T: 'static, R>(table: &'static Key<T>, handle: u32, f: impl FnOnce(&mut T) -> R) -> Option<R> {
  table.try_with(|all| all.borrow_mut().get_mut(handle as usize)?.as_mut().map(f)).ok().flatten()
}

/// Takes the entry out; it is dropped after the table is released.
pub(crate) fn remove<T: 'static>(table: &'static Key<T>, handle: u32) {
  let taken = table.try_with(|all| all.borrow_mut().get_mut(handle as usize).and_then(Option::take));
  drop(taken);
}
