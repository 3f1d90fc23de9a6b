// Loaded with a dynamic import so a browser that cannot parse `using` fails to load this module
// only (its test declares that skip).

/**
 * Subscribes inside a block with `using`; returns whether the subscription was active inside
 * it. It is disposed (through `[Symbol.dispose]`) when the block ends.
 */
export function usingBlock(onTrack, pc, callback) {
  using subscription = onTrack(pc, callback);
  return subscription.active;
}
