// Exact type equality at compile time: `check<Equal<A, B>>(true)` fails unless A and B are the same type.
export type Equal<A, B> = (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false
export function check<T extends true>(value: T): T {
  return value
}
