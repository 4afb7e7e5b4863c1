import { sql } from 'drizzle-orm';
import type { z } from 'zod';
import type { ServiceContext } from '../../platform/auth/context.js';
import { type Database, resultRows, type Tx } from '../../platform/db/client.js';
import { tenantTransaction } from '../../platform/db/tenant-transaction.js';
import { readLatestSnapshot } from '../publishing/publishing.service.js';
import type { SnapshotContent } from '../publishing/snapshot.contract.js';
import { expandQuestion } from './answer-vocabulary.js';
import {
  type AnswersResponse,
  answersInput,
  type EntryReference,
  type Proposal,
  type ShortAnswer,
  type SourceKind,
  type Visibility,
} from './knowledge-base.contract.js';
import { readKnowledgeBase } from './knowledge-base.service.js';

/** One thing a proposal may cite: a knowledge-base entry, a published control or FAQ entry. */
interface Candidate {
  kind: SourceKind;
  key: string;
  /** What is matched most strongly: the entry's question, the control's title. */
  heading: string;
  /** What is matched too, and less: the answer, the control's description and category. */
  body: string;
  /** What a proposal citing it says. */
  text: string;
  shortAnswer: ShortAnswer | null;
  visibility: Visibility;
  references: EntryReference[];
}

interface ScoredRow {
  question: number;
  candidate: number;
  score: number;
}

/**
 * Trigram similarity is computed for this many best lexical matches per question only: it refines
 * their order (it weighs 0.2), and computing it for every pair of a large knowledge base is where
 * the time went.
 */
const TRIGRAM_SHORTLIST = 15;

/**
 * A lexeme in more than half of the candidates (ln 2) says little about which one answers: it
 * still counts in a question's weight but pairs no question with candidates, which keeps the
 * join small for a large knowledge base.
 */
const COMMON_LEXEME_IDF = Math.log(2);

/** Below this a match is noise (one common word shared): no proposal rather than a wrong one. */
const MIN_SCORE = 0.12;

/** Every candidate the tenant may cite: its knowledge base, and its published controls and FAQ. */
async function readCandidates(tx: Tx): Promise<{ candidates: Candidate[]; snapshotVersion: number | null }> {
  const entries = await readKnowledgeBase(tx);
  const snapshot = await readLatestSnapshot(tx);
  const candidates: Candidate[] = entries.map((entry) => ({
    kind: 'knowledge_base',
    key: entry.key,
    heading: entry.question,
    body: entry.answer,
    text: entry.answer,
    shortAnswer: entry.shortAnswer,
    visibility: entry.visibility,
    references: entry.references,
  }));
  candidates.push(...publishedCandidates(snapshot?.content, false));
  return { candidates, snapshotVersion: snapshot?.version ?? null };
}

/**
 * The controls and FAQ of a published snapshot as candidates, and with `withAnswers` its public
 * knowledge-base entries too (what a visitor's search may cite: nothing but the snapshot).
 */
function publishedCandidates(content: SnapshotContent | undefined, withAnswers: boolean): Candidate[] {
  const candidates: Candidate[] = [];
  if (withAnswers) {
    for (const entry of content?.answers ?? []) {
      candidates.push({
        kind: 'knowledge_base',
        key: entry.key,
        heading: entry.question,
        body: entry.answer,
        text: entry.answer,
        shortAnswer: entry.shortAnswer,
        visibility: 'public',
        references: [],
      });
    }
  }
  for (const category of content?.categories ?? []) {
    for (const control of category.controls) {
      candidates.push({
        kind: 'control',
        key: control.key,
        heading: control.title,
        body: `${control.description} ${category.name}`,
        text: control.description,
        shortAnswer: null,
        visibility: 'public',
        references: [],
      });
    }
  }
  for (const entry of content?.faq ?? []) {
    candidates.push({
      kind: 'faq',
      key: entry.key,
      heading: entry.question,
      body: entry.answer,
      text: entry.answer,
      shortAnswer: null,
      visibility: 'public',
      references: [],
    });
  }
  return candidates;
}

/**
 * Ranks every (question, candidate) pair in one statement. Lexical: the question's English
 * lexemes (to_tsvector: stemmed, stop words gone) that a candidate holds, each weighted by its
 * rarity among the candidates (an inverse document frequency, so "data" counts less than
 * "penetration") and by where it stands (heading over body), as a share of all the question's
 * known lexemes. Trigram: pg_trgm's similarity of the question to the heading, which rewards the
 * same wording and catches spellings stemming misses. Only pairs sharing a lexeme are scored.
 */
function rankingQuery(candidates: Candidate[], questions: string[], limit: number) {
  const candidateJson = JSON.stringify(candidates.map((c, i) => ({ i, h: c.heading, b: c.body })));
  const questionJson = JSON.stringify(questions.map((t, i) => ({ i, t })));
  return sql`
    WITH c AS MATERIALIZED (
      SELECT i, h, setweight(to_tsvector('english', h), 'A') || setweight(to_tsvector('english', b), 'B') AS v
      FROM jsonb_to_recordset(CAST(${candidateJson} AS jsonb)) AS x(i int, h text, b text)
    ),
    p AS MATERIALIZED (
      SELECT c.i, u.lexeme, CASE WHEN 'A' = ANY(u.weights) THEN 1.0 ELSE 0.45 END AS w
      FROM c, unnest(c.v) AS u
    ),
    df AS MATERIALIZED (
      SELECT lexeme, greatest(ln((SELECT count(*) FROM c)::float8 / count(*)), 0.05) AS idf FROM p GROUP BY lexeme
    ),
    q AS MATERIALIZED (
      SELECT i, t FROM jsonb_to_recordset(CAST(${questionJson} AS jsonb)) AS x(i int, t text)
    ),
    qt AS MATERIALIZED (
      SELECT DISTINCT q.i, u.lexeme FROM q, unnest(to_tsvector('english', q.t)) AS u
    ),
    qn AS (
      SELECT qt.i, sum(df.idf) AS mass FROM qt JOIN df USING (lexeme) GROUP BY qt.i
    ),
    m AS (
      SELECT qt.i AS qi, p.i AS ci, sum(df.idf * p.w) AS hit
      FROM qt JOIN df USING (lexeme) JOIN p USING (lexeme)
      WHERE df.idf >= ${COMMON_LEXEME_IDF}
      GROUP BY qt.i, p.i
    ),
    top AS (
      SELECT qi, ci, hit FROM (
        SELECT m.*, row_number() OVER (PARTITION BY qi ORDER BY hit DESC, ci) AS r FROM m
      ) lexical
      WHERE r <= ${TRIGRAM_SHORTLIST}
    ),
    scored AS (
      SELECT top.qi, top.ci, 0.8 * (top.hit / qn.mass) + 0.2 * similarity(q.t, c.h) AS score
      FROM top JOIN qn ON qn.i = top.qi JOIN q ON q.i = top.qi JOIN c ON c.i = top.ci
    )
    SELECT qi AS question, ci AS candidate, score FROM (
      SELECT scored.*, row_number() OVER (PARTITION BY qi ORDER BY score DESC, ci) AS r FROM scored
    ) ranked
    WHERE r <= ${limit} AND score >= ${MIN_SCORE}
    ORDER BY qi, r`;
}

function toProposal(candidate: Candidate, score: number): Proposal {
  return {
    text: candidate.text,
    shortAnswer: candidate.shortAnswer,
    confidence: Math.round(Math.min(1, Math.max(0, score)) * 100) / 100,
    visibility: candidate.visibility,
    sources: [
      {
        kind: candidate.kind,
        key: candidate.key,
        title: candidate.heading,
        visibility: candidate.visibility,
      },
    ],
    references: candidate.references,
  };
}

/**
 * Answers questionnaire questions from what the tenant already wrote: retrieval only. Each
 * proposal is one cited entry's own text with a confidence; nothing is generated, and no question
 * leaves the installation. Only the tenant's own rows are read (its transaction, row-level security).
 */
export function createAnswersService({ db }: { db: Database }) {
  const run = tenantTransaction({ db });

  async function rank(tx: Tx, candidates: Candidate[], questions: string[], limit: number) {
    const proposals: Proposal[][] = questions.map(() => []);
    if (candidates.length === 0) return proposals;
    const rows = resultRows<ScoredRow>(
      await tx.execute(rankingQuery(candidates, questions.map(expandQuestion), limit)),
    );
    for (const row of rows) {
      const candidate = candidates[Number(row.candidate)];
      if (candidate) proposals[Number(row.question)]?.push(toProposal(candidate, Number(row.score)));
    }
    return proposals;
  }

  return {
    /**
     * A visitor's "Search our answers": ranks only what `content` (the published snapshot the
     * page shows) holds, public knowledge-base entries, controls and FAQ; no table is read.
     */
    async searchPublished(ctx: ServiceContext, content: SnapshotContent, query: string): Promise<Proposal[]> {
      ctx.require('published:read');
      const candidates = publishedCandidates(content, true);
      const [found] = await run(ctx, (tx) => rank(tx, candidates, [query], 5));
      return found ?? [];
    },

    async answer(ctx: ServiceContext, input: z.input<typeof answersInput>): Promise<AnswersResponse> {
      ctx.require('content:read');
      const { questions, limit } = answersInput.parse(input);
      return run(ctx, async (tx) => {
        const { candidates, snapshotVersion } = await readCandidates(tx);
        const proposals = await rank(tx, candidates, questions, limit);
        return {
          answers: questions.map((question, index) => ({ question, proposals: proposals[index] ?? [] })),
          snapshotVersion,
        };
      });
    },
  };
}

export type AnswersService = ReturnType<typeof createAnswersService>;
