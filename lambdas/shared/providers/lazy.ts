/** One instance per container, built on first use (adapters read configuration when they are built). */
export function lazy<T>(make: () => T): () => T {
  let value: T | undefined;
  return () => (value ??= make());
}
