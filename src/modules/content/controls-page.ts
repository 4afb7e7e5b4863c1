import { literal } from '../../platform/db/tenancy.js';
import type { PageQuery } from '../../platform/http/api-route.js';
import { evidenceCheckKeys } from '../evidence/evidence.contract.js';

export interface ControlsFilter {
  categoryId?: string | undefined;
  status?: string | undefined;
  /** Matches title or description, ignoring case. */
  q?: string | undefined;
}

/** One page of controls as PostgreSQL wrote it: the items as a JSON array text, and the total. */
export interface ControlsPageText {
  items: string;
  total: number;
}

// The check keys are [a-z0-9-] only.
const knownChecks = literal(`{${evidenceCheckKeys.join(',')}}`);

/**
 * The columns of a control as the API answers them (the same fields and formats as
 * `toControlResponse`), from a row named `p`: PostgreSQL writes the JSON itself.
 */
const controlJson = `
  lateral (
    select p.id, p.category_id as "categoryId", p.key, p.title, p.description, p.status, p.position,
      p.last_reviewed_on as "lastReviewedOn", p.review_interval_days as "reviewIntervalDays",
      p.framework_refs as frameworks,
      -- A check that a later version no longer has is dropped, not shown as an unknown key.
      array(select e from unnest(p.evidence) with ordinality u(e, n)
            where e = any(${knownChecks}::text[]) order by n) as evidence,
      p.documents, p.artifacts, p.attestation,
      to_char(p.updated_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') as "updatedAt"
  ) o`;

/**
 * The controls list in one statement (for tenantStatement: values are written in as literals):
 * the tenant's content revision (migration 0024) and, unless it is `knownRevision` (the one a
 * cached copy was read at), only the columns the response has, filtered, ordered by category
 * and position (id breaks ties, so pages never overlap), one page of them as JSON text, and the
 * count of all that match. No row becomes an object on the way: at 100 controls a page that was
 * most of a request's CPU. When the revision is the known one, the page is never computed (the
 * lateral's filter is false before its subqueries run) and `items` is null.
 */
export function controlsPageStatement(
  filter: ControlsFilter,
  page: PageQuery,
  knownRevision: string | null = null,
): string {
  const conditions = ['true'];
  if (filter.categoryId) conditions.push(`c.category_id = ${literal(filter.categoryId)}::uuid`);
  if (filter.status) conditions.push(`c.status = ${literal(filter.status)}`);
  if (filter.q) {
    const needle = `lower(${literal(filter.q)})`;
    conditions.push(`(strpos(lower(c.title), ${needle}) > 0 or strpos(lower(c.description), ${needle}) > 0)`);
  }
  const limit = Math.trunc(page.limit);
  const offset = Math.trunc(page.offset);
  const known = knownRevision === null ? 'null::bigint' : `${literal(knownRevision)}::bigint`;
  return `
    with matched as (
      select c.*, cc.position as category_position
      from controls c join control_categories cc on cc.id = c.category_id
      where ${conditions.join(' and ')}
    )
    select r.revision::text as revision, p.total, p.items
    from (select (select revision from content_revisions) as revision) r
    left join lateral (
      select
        (select count(*) from matched)::int as total,
        coalesce((
          select '[' || string_agg(row_to_json(o)::text, ',' order by p.category_position, p.position, p.id) || ']'
          from (
            select * from matched order by category_position, position, id limit ${limit} offset ${offset}
          ) p, ${controlJson}
        ), '[]') as items
      where r.revision is distinct from ${known}
    ) p on true`;
}

/** One control as JSON text, or no row. */
export function controlStatement(id: string): string {
  return `select row_to_json(o)::text as item from controls p, ${controlJson} where p.id = ${literal(id)}::uuid`;
}
