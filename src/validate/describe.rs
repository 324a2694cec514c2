//! Names for objects JSON cannot hold, used in messages ("a Map cannot be
//! validated as JSON"). The binding finds the tag; naming it is plain Rust.

/// The noun phrase for an object by its `Object.prototype.toString` tag
/// (`[object Map]`); "a class instance" for tags it does not know.
pub fn object_name(tag: &str) -> &'static str {
  let name = tag.strip_prefix("[object ").and_then(|t| t.strip_suffix(']')).unwrap_or("");
  match name {
    "Map" => "a Map",
    "Set" => "a Set",
    "WeakMap" => "a WeakMap",
    "WeakSet" => "a WeakSet",
    "WeakRef" => "a WeakRef",
    "RegExp" => "a RegExp",
    "Date" => "a Date",
    "Promise" => "a Promise",
    "Error" => "an Error",
    "ArrayBuffer" => "an ArrayBuffer",
    "SharedArrayBuffer" => "a SharedArrayBuffer",
    "DataView" => "a DataView",
    "Int8Array" => "an Int8Array",
    "Uint8Array" => "a Uint8Array",
    "Uint8ClampedArray" => "a Uint8ClampedArray",
    "Int16Array" => "an Int16Array",
    "Uint16Array" => "a Uint16Array",
    "Int32Array" => "an Int32Array",
    "Uint32Array" => "a Uint32Array",
    "Float16Array" => "a Float16Array",
    "Float32Array" => "a Float32Array",
    "Float64Array" => "a Float64Array",
    "BigInt64Array" => "a BigInt64Array",
    "BigUint64Array" => "a BigUint64Array",
    "Number" => "a Number object",
    "String" => "a String object",
    "Boolean" => "a Boolean object",
    "Symbol" => "a Symbol object",
    "BigInt" => "a BigInt object",
    "Generator" | "AsyncGenerator" => "a generator",
    _ => "a class instance",
  }
}
