import { type SQL, sql } from 'drizzle-orm';
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

// The check keys are [a-z0-9-] only, so they are safe in an array literal.
const knownChecks = `{${evidenceCheckKeys.join(',')}}`;

/**
 * The controls list, read and serialized by PostgreSQL in one statement: only the columns the
 * response has, filtered, ordered by category and position (id breaks ties, so pages never
 * overlap), one page of them, and the count of all that match. Each item leaves the database as
 * the JSON the API answers (the same fields and formats as `toControlResponse`), so no row is
 * turned into an object on the way: at 100 controls a page that was most of a request's CPU.
 */
export function controlsPageStatement(filter: ControlsFilter, page: PageQuery): SQL {
  const conditions: SQL[] = [sql`true`];
  if (filter.categoryId) conditions.push(sql`c.category_id = ${filter.categoryId}::uuid`);
  if (filter.status) conditions.push(sql`c.status = ${filter.status}`);
  if (filter.q) {
    conditions.push(
      sql`(strpos(lower(c.title), lower(${filter.q})) > 0 or strpos(lower(c.description), lower(${filter.q})) > 0)`,
    );
  }
  return sql`
    with matched as (
      select c.*, cc.position as category_position
      from controls c join control_categories cc on cc.id = c.category_id
      where ${sql.join(conditions, sql` and `)}
    )
    select
      (select count(*) from matched)::int as total,
      coalesce((
        select '[' || string_agg(row_to_json(o)::text, ',' order by p.category_position, p.position, p.id) || ']'
        from (
          select * from matched order by category_position, position, id
          limit ${page.limit} offset ${page.offset}
        ) p,
        lateral (
          select p.id, p.category_id as "categoryId", p.key, p.title, p.description, p.status, p.position,
            p.last_reviewed_on as "lastReviewedOn", p.review_interval_days as "reviewIntervalDays",
            p.framework_refs as frameworks,
            -- A check that a later version no longer has is dropped, not shown as an unknown key.
            array(select e from unnest(p.evidence) with ordinality u(e, n)
                  where e = any(${knownChecks}::text[]) order by n) as evidence,
            to_char(p.updated_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') as "updatedAt"
        ) o
      ), '[]') as items`;
}
