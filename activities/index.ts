/**
 * Activities: every side effect of the journey, built by a factory from its dependencies so the
 * worker passes real integrations and tests pass fakes typed from `Activities`.
 */

/** What the activities need from the outside world. */
export interface ActivityDeps {
  /** Clock for timestamps written by activities (tests pass a fixed one). */
  now?: () => Date;
}

/** Builds the activity implementations registered on the worker. */
export function createActivities(_deps: ActivityDeps = {}) {
  return {};
}

export type Activities = ReturnType<typeof createActivities>;
