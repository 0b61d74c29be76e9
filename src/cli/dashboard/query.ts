/** The dashboard's query parameters as the daemon's `status` paging fields (bad values dropped). */
import { STATUS_SORTS, type StatusFields, type StatusSort } from "../../protocol/ops.js";

/** The largest page the page may ask for: a page, not the whole node. */
export const MAX_PAGE = 500;

export function statusFieldsOf(params: URLSearchParams, defaultLimit: number | undefined): StatusFields {
  const fields: StatusFields = {};
  const offset = wholeNumber(params.get("offset"));
  const limit = wholeNumber(params.get("limit")) ?? defaultLimit;
  if (offset !== undefined) fields.offset = offset;
  if (limit !== undefined) fields.limit = Math.min(limit, MAX_PAGE);
  const filter = params.get("filter");
  if (filter !== null && filter !== "") fields.filter = filter;
  const sort = params.get("sort");
  if (sort !== null && (STATUS_SORTS as readonly string[]).includes(sort)) fields.sort = sort as StatusSort;
  if (params.get("desc") === "1") fields.desc = true;
  return fields;
}

function wholeNumber(text: string | null): number | undefined {
  if (text === null || !/^\d{1,15}$/.test(text)) return undefined;
  return Number(text);
}
