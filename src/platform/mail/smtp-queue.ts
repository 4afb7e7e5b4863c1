import type { OutgoingMail, SendOutcome } from './smtp-client.contract.js';
import { type DeliveryLimits, domainKey, domainLimit, type RateBudget, tenantKey } from './smtp-limits.js';
import { domainOf } from './smtp-message.js';

/**
 * The mails an SMTP client has been handed and not yet settled, and the limits they go out
 * under: a mail waits until its per-second rates (domain, tenant) grant it a send, then until
 * a connection takes it while its concurrency caps have room. See decision 0020.
 */

/** queued: not on any connection; envelope: its commands were written; message: its text was. */
export type JobState = 'queued' | 'envelope' | 'message';

export interface Job {
  mail: OutgoingMail;
  /** Concurrency caps that apply. */
  caps: { key: string; concurrency: number }[];
  /** Rates that apply, spent before the job is ready. */
  rates: { key: string; perSecond: number }[];
  /** The text after DATA, built when a connection takes the mail. */
  message: Buffer | null;
  state: JobState;
  /** Times it went back to the queue from a failed connection before its text was sent. */
  requeues: number;
  queuedAt: number;
  settled: boolean;
  resolve: (outcome: SendOutcome) => void;
}

export interface DeliveryQueueOptions {
  limits: DeliveryLimits;
  budget: RateBudget;
  /** A mail still without its rate budget after this is settled as `smtp:ELIMIT` (not permanent). */
  limitWaitMs: number;
  /** Mails became ready, or a cap got room. */
  onReady: () => void;
}

export function createDeliveryQueue({ limits, budget, limitWaitMs, onReady }: DeliveryQueueOptions) {
  /** Mails waiting for their rate budget. */
  let waiting: Job[] = [];
  /** Mails ready to go, in order; `head` skips the taken ones. */
  const ready: Job[] = [];
  let head = 0;
  let readyCount = 0;
  const inFlight = new Map<string, number>();
  let pumping = false;
  let pumpAgain = false;
  let pumpTimer: NodeJS.Timeout | null = null;
  let stopped = false;

  function limitsOf(mail: OutgoingMail): Pick<Job, 'caps' | 'rates'> {
    const caps: Job['caps'] = [];
    const rates: Job['rates'] = [];
    const domain = domainLimit(limits, domainOf(mail.to));
    const tenant = mail.tenantId ? limits.perTenant : undefined;
    if (domain?.concurrency || domain?.perSecond) {
      const key = domainKey(domainOf(mail.to));
      if (domain.concurrency) caps.push({ key, concurrency: domain.concurrency });
      if (domain.perSecond) rates.push({ key, perSecond: domain.perSecond });
    }
    if (mail.tenantId && (tenant?.concurrency || tenant?.perSecond)) {
      const key = tenantKey(mail.tenantId);
      if (tenant.concurrency) caps.push({ key, concurrency: tenant.concurrency });
      if (tenant.perSecond) rates.push({ key, perSecond: tenant.perSecond });
    }
    return { caps, rates };
  }

  function count(job: Job, by: number): void {
    for (const cap of job.caps) inFlight.set(cap.key, (inFlight.get(cap.key) ?? 0) + by);
  }

  function makeReady(job: Job, first = false): void {
    if (first && head > 0) {
      head -= 1;
      ready[head] = job;
    } else ready.push(job);
    readyCount += 1;
  }

  function allowed(job: Job): boolean {
    return job.caps.every((cap) => (inFlight.get(cap.key) ?? 0) < cap.concurrency);
  }

  /** Spends rate budgets: the mails that got theirs become ready, the rest wait for the next second. */
  async function pump(): Promise<void> {
    if (pumping) {
      pumpAgain = true;
      return;
    }
    pumping = true;
    try {
      do {
        pumpAgain = false;
        const groups = new Map<string, Job[]>();
        for (const job of waiting) {
          const key = job.rates.map((rate) => rate.key).join('|');
          const group = groups.get(key);
          if (group) group.push(job);
          else groups.set(key, [job]);
        }
        const admitted = new Set<Job>();
        for (const jobs of groups.values()) {
          let granted = jobs.length;
          for (const rate of (jobs[0] as Job).rates) {
            if (granted === 0) break;
            // A budget that cannot be read grants nothing: the mail waits (and at worst times out).
            granted = await budget.take(rate.key, granted, rate.perSecond).catch(() => 0);
          }
          for (const job of jobs.slice(0, granted)) admitted.add(job);
        }
        const now = Date.now();
        const still: Job[] = [];
        // Mails added while this round awaited its budgets are in `waiting` too: the next round asks for them.
        for (const job of waiting) {
          if (admitted.has(job)) makeReady(job);
          else if (now - job.queuedAt > limitWaitMs)
            settle(job, { ok: false, code: 'smtp:ELIMIT', permanent: false });
          else still.push(job);
        }
        waiting = still;
        if (admitted.size > 0) onReady();
      } while (pumpAgain);
    } finally {
      pumping = false;
    }
    if (waiting.length > 0 && !pumpTimer && !stopped) {
      pumpTimer = setTimeout(
        () => {
          pumpTimer = null;
          void pump();
        },
        1000 - (Date.now() % 1000) + 5,
      );
    }
  }

  function settle(job: Job, outcome: SendOutcome): void {
    if (job.settled) return;
    job.settled = true;
    if (job.state !== 'queued') count(job, -1);
    job.resolve(outcome);
    // A cap that was full may have room now.
    if (job.caps.length > 0 && readyCount > 0) onReady();
  }

  return {
    /** Mails that a connection could take now (or soon, once a cap has room). */
    get readyCount() {
      return readyCount;
    },
    /** Queues the mails; each promise resolves with its outcome. */
    add(mails: readonly OutgoingMail[]): Promise<SendOutcome>[] {
      const queuedAt = Date.now();
      let limited = false;
      const outcomes = mails.map(
        (mail) =>
          new Promise<SendOutcome>((resolve) => {
            const job: Job = {
              mail,
              ...limitsOf(mail),
              message: null,
              state: 'queued',
              requeues: 0,
              queuedAt,
              settled: false,
              resolve,
            };
            if (job.rates.length > 0) {
              waiting.push(job);
              limited = true;
            } else makeReady(job);
          }),
      );
      if (limited) void pump();
      onReady();
      return outcomes;
    },
    /** The next mail a connection may start now, if any; it counts against its caps until settled. */
    take(): Job | undefined {
      for (let index = head; index < ready.length; index += 1) {
        const job = ready[index] as Job;
        if (!allowed(job)) continue;
        job.state = 'envelope';
        count(job, 1);
        readyCount -= 1;
        if (index === head) head += 1;
        else ready.splice(index, 1);
        if (head > 1024 && head * 2 > ready.length) {
          ready.splice(0, head);
          head = 0;
        }
        return job;
      }
      return undefined;
    },
    settle,
    /** A mail whose text never left goes back to the front, for another connection. */
    requeue(job: Job): void {
      count(job, -1);
      job.state = 'queued';
      job.requeues += 1;
      makeReady(job, true);
    },
    stop(): void {
      stopped = true;
      if (pumpTimer) clearTimeout(pumpTimer);
      pumpTimer = null;
    },
  };
}

export type DeliveryQueue = ReturnType<typeof createDeliveryQueue>;
