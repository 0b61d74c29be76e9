/**
 * A valibot issue as relx words its errors: the path of the field, what was expected and what came
 * (boot.processes[1].name expected a non-empty string, got number 5). Every schema in store/
 * gives each check a message phrased as the expectation, so this needs no table of issue types.
 */
import type { BaseIssue } from "valibot";
import { describeValue } from "../../errors.js";

type Key = string | number;

/** One line about `issue`, naming the field by its path in the file. */
export function issueText(issue: BaseIssue<unknown>): string {
  const keys: Key[] = (issue.path ?? []).map((item) => item.key as Key);
  if (issue.expected === "never" && keys.length > 0) {
    const parent = keys.slice(0, -1);
    return `${parent.length ? `${fieldPath(parent)} has an` : "an"} unknown key ${JSON.stringify(String(keys.at(-1)))}`;
  }
  if (issue.input === undefined && keys.length > 0) return `${fieldPath(keys)} is missing`;
  const subject = keys.length > 0 ? `${fieldPath(keys)} expected` : "expected";
  return `${subject} ${issue.message}, got ${describeValue(issue.input)}`;
}

/** `boot.processes[1].name`, `files["lib/app.cjs"]`. */
export function fieldPath(keys: Key[]): string {
  return keys
    .map((key, i) => {
      if (typeof key === "number") return `[${key}]`;
      if (/^[A-Za-z_$][\w$]*$/.test(key)) return i === 0 ? key : `.${key}`;
      return `[${JSON.stringify(key)}]`;
    })
    .join("");
}
