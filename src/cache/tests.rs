use super::*;

fn entries(n: u64) -> ResponseCache<String> {
  ResponseCache::new(Config { max_entries: Some(n), ..Config::default() })
}

#[test]
fn get_returns_the_inserted_id() {
  let mut c = entries(10);
  let id = c.insert("a".into(), 0);
  assert_eq!(c.get("a"), Some(id));
  assert_eq!(c.get("b"), None);
}

#[test]
fn evicts_least_recently_used_by_entries() {
  let mut c = entries(2);
  let a = c.insert("a".into(), 0);
  c.insert("b".into(), 0);
  c.get("a");
  c.insert("c".into(), 0);
  let b_gone = c.get("b").is_none();
  assert!(b_gone, "b was least recently used");
  assert!(c.get("a").is_some());
  let drained = c.drain();
  assert_eq!(drained.len(), 1);
  assert_ne!(drained[0], a);
  assert_eq!(c.stats().evictions, 1);
  assert_eq!(c.stats().entries, 2);
}

#[test]
fn bytes_bound_weighs_entries() {
  let mut c: ResponseCache<String> = ResponseCache::new(Config { max_bytes: Some(100), ..Config::default() });
  c.insert("a".into(), 60);
  c.insert("b".into(), 60);
  assert!(c.stats().bytes <= 100);
  assert_eq!(c.drain().len(), 1);
  // Larger than the whole cache: refused at once.
  let id = c.insert("huge".into(), 1000);
  assert_eq!(c.get("huge"), None);
  assert!(c.drain().contains(&id));
}

#[test]
fn both_caps_bound_entries_through_a_minimum_weight() {
  let mut c: ResponseCache<String> =
    ResponseCache::new(Config { max_entries: Some(4), max_bytes: Some(400), ..Config::default() });
  for i in 0..10 {
    c.insert(format!("k{i}"), 1);
  }
  assert!(c.stats().entries <= 4);
}

#[test]
fn ttl_expires() {
  let mut c: ResponseCache<String> = ResponseCache::new(Config { ttl_ms: Some(20.0), ..Config::default() });
  let id = c.insert("a".into(), 0);
  std::thread::sleep(Duration::from_millis(60));
  assert_eq!(c.get("a"), None);
  c.run_pending();
  assert_eq!(c.drain(), vec![id]);
  assert_eq!(c.stats().expirations, 1);
}

#[test]
fn invalidate_clear_and_replace_return_ids() {
  let mut c = entries(10);
  let a = c.insert("a".into(), 0);
  let a2 = c.insert("a".into(), 0);
  assert_eq!(c.drain(), vec![a]);
  c.invalidate("a");
  assert_eq!(c.drain(), vec![a2]);
  c.insert("x".into(), 0);
  c.insert("y".into(), 0);
  c.clear();
  assert_eq!(c.drain().len(), 2);
  assert_eq!(c.stats().entries, 0);
}

#[test]
fn shrink_removes_the_oldest_fraction() {
  let mut c = entries(100);
  let ids: Vec<u64> = (0..10).map(|i| c.insert(format!("k{i}"), 0)).collect();
  assert_eq!(c.shrink(0.5), 5);
  let mut drained = c.drain();
  drained.sort_unstable();
  assert_eq!(drained, ids[..5].to_vec());
  assert!(c.get("k9").is_some());
}
