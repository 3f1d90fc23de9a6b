// A tiny in-page test harness: runs tests one after another, each with a deadline, and
// publishes the results on `window.__rtcPeerTests` for the WebDriver runner (xtask) and in
// the page for a person.

/** How long one test may take before it fails. */
export const TEST_DEADLINE_MS = 20000;

/** Polls `check` every 20 ms until it returns a truthy value; fails after `ms` saying `what`. */
export async function waitFor(check, ms, what) {
  const deadline = performance.now() + ms;
  let last;
  for (;;) {
    last = await check();
    if (last) return last;
    if (performance.now() > deadline) {
      throw new Error(`timed out after ${ms} ms waiting for ${what} (last value: ${String(last)})`);
    }
    await sleep(20);
  }
}

/** Resolves after `ms` milliseconds. */
export function sleep(ms) {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/**
 * Calls `make()` in a task of its own and waits (at most `ms`, allocating garbage) until the
 * object it returned has been garbage-collected and finalized; fails saying `what` otherwise.
 *
 * Nothing here holds the object: it lives only in that task's finished frame, so neither a
 * minifier that removes an IIFE nor a stale register of the caller's suspended frame can keep
 * it. The FinalizationRegistry stays reachable from this frame until the wait ends: a registry
 * that is itself collected never calls back (Vite's minifier once turned a single-use
 * `const registry` into a temporary, and the wait timed out however unreachable the object).
 * A few more rounds of garbage follow, so other registries' cleanups of the same collection
 * (wasm-bindgen's `free` of the handle) have run too.
 */
export async function dropAndWaitCollected(make, ms, what) {
  let finalized = false;
  const registry = new FinalizationRegistry(() => {
    finalized = true;
  });
  await new Promise((resolve, reject) => {
    setTimeout(() => {
      try {
        registry.register(make(), what);
        resolve();
      } catch (err) {
        reject(err);
      }
    });
  });
  // 8 MB of garbage a round, so the browser collects.
  const churn = async () => {
    Array.from({ length: 64 }, () => new Array(16384).fill(Math.random()));
    await sleep(5);
  };
  await waitFor(
    async () => {
      await churn();
      return finalized;
    },
    ms,
    `a garbage collection that finalizes ${what}`,
  );
  for (let i = 0; i < 20; i++) await churn();
  // A use after the wait: the registry is reachable throughout it, whatever a minifier does.
  registry.unregister(registry);
}

/** Throws with `message` unless `condition` holds. */
export function assert(condition, message) {
  if (!condition) throw new Error(`assertion failed: ${message}`);
}

/** Throws unless `actual === expected` (Object.is), naming both. */
export function assertSame(actual, expected, what) {
  if (!Object.is(actual, expected)) {
    throw new Error(`assertion failed: ${what}: expected ${describe(expected)}, got ${describe(actual)}`);
  }
}

function describe(value) {
  if (typeof value === "string") return JSON.stringify(value);
  if (value && typeof value === "object") return `[object ${value.constructor?.name ?? "Object"}]`;
  return String(value);
}

/**
 * Runs `tests` (an array of `{ name, run, skip }`, where `run(cleanup)` may register clean-up
 * functions with `cleanup(fn)`) and publishes the outcome.
 *
 * A test may only be skipped when it declares so up front: `skip: { when, reason }`, where
 * `when()` says whether this browser lacks what the test needs and `reason` says what. Every
 * other way of not finishing (an exception, a deadline) fails the test; the runner (xtask)
 * also fails any skip that is not `declared` with a reason.
 */
export async function runTests(label, tests) {
  const state = {
    label,
    done: false,
    passed: 0,
    failed: 0,
    skipped: 0,
    results: [],
    userAgent: navigator.userAgent,
  };
  window.__rtcPeerTests = state;
  const list = document.getElementById("results");
  for (const test of tests) {
    const cleanups = [];
    const started = performance.now();
    let status = "passed";
    let message = "";
    let timer;
    let declared = false;
    try {
      if (test.skip) {
        if (typeof test.skip.when !== "function" || !test.skip.reason) {
          throw new Error("a declared skip needs `when` (a function) and a `reason`");
        }
        if (test.skip.when()) {
          declared = true;
          throw new Error(test.skip.reason);
        }
      }
      const deadline = new Promise((_, reject) => {
        timer = setTimeout(
          () => reject(new Error(`test did not finish within ${TEST_DEADLINE_MS} ms`)),
          TEST_DEADLINE_MS,
        );
      });
      await Promise.race([test.run((fn) => cleanups.push(fn)), deadline]);
    } catch (err) {
      status = declared ? "skipped" : "failed";
      message = declared ? test.skip.reason : err && err.stack ? `${err.name}: ${err.message}\n${err.stack}` : String(err);
    } finally {
      clearTimeout(timer);
    }
    for (const fn of cleanups.reverse()) {
      try {
        await fn();
      } catch (err) {
        if (status === "passed") {
          status = "failed";
          message = `clean-up failed: ${err}`;
        }
      }
    }
    state[status] += 1;
    const ms = Math.round(performance.now() - started);
    state.results.push({ name: test.name, status, declared, message, ms });
    if (list) {
      const item = document.createElement("li");
      item.className = status;
      item.textContent = `${status.toUpperCase()} ${test.name} (${ms} ms)${message ? `: ${message.split("\n")[0]}` : ""}`;
      list.append(item);
    }
  }
  state.done = true;
  const summary = document.getElementById("summary");
  if (summary) {
    summary.textContent = `${label}: ${state.passed} passed, ${state.failed} failed, ${state.skipped} skipped`;
  }
  return state;
}
