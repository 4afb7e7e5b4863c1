import { randomInt } from 'node:crypto';
import { createSocket } from 'node:dgram';
import { getServers } from 'node:dns';
import { Resolver } from 'node:dns/promises';
import { isIP } from 'node:net';
import dnsPacket from 'dns-packet';
import type { Facts, ProbeEnv, ProbeOutcome } from './probe.js';

/** "127.0.0.1:5353", "[::1]:53", "9.9.9.9" → address and port. */
function serverAddress(server: string): { address: string; port: number } | null {
  const bracketed = /^\[([^\]]+)\](?::(\d+))?$/.exec(server);
  if (bracketed) return { address: bracketed[1] ?? '', port: Number(bracketed[2] ?? 53) };
  if (isIP(server) === 6) return { address: server, port: 53 };
  const [address = '', port] = server.split(':');
  return isIP(address) ? { address, port: Number(port ?? 53) } : null;
}

/**
 * Whether the resolver vouches for the domain's answers: a query with the DO bit and AD requested
 * (RFC 6840 §5.7); a validating resolver sets AD on an answer it validated. node:dns does not show
 * the flag, so this one query is built by hand. null: the resolver did not answer.
 */
function authenticData(server: string, domain: string, timeoutMs: number): Promise<boolean | null> {
  const target = serverAddress(server);
  if (!target) return Promise.resolve(null);
  return new Promise((resolve) => {
    const socket = createSocket(isIP(target.address) === 6 ? 'udp6' : 'udp4');
    const id = randomInt(0, 65_536);
    const finish = (value: boolean | null) => {
      clearTimeout(timer);
      socket.close();
      resolve(value);
    };
    const timer = setTimeout(() => finish(null), timeoutMs);
    socket.on('error', () => finish(null));
    socket.on('message', (message) => {
      try {
        const answer = dnsPacket.decode(message);
        if (answer.id !== id) return;
        finish(((answer.flags ?? 0) & dnsPacket.AUTHENTIC_DATA) !== 0);
      } catch {
        finish(null);
      }
    });
    const query = dnsPacket.encode({
      type: 'query',
      id,
      flags: dnsPacket.RECURSION_DESIRED | dnsPacket.AUTHENTIC_DATA,
      questions: [{ type: 'SOA', name: domain }],
      additionals: [
        {
          type: 'OPT',
          name: '.',
          udpPayloadSize: 1232,
          extendedRcode: 0,
          ednsVersion: 0,
          flags: dnsPacket.DNSSEC_OK,
          flag_do: true,
          options: [],
        },
      ],
    });
    socket.send(query, target.port, target.address);
  });
}

async function txt(resolver: Resolver, name: string): Promise<string[]> {
  try {
    return (await resolver.resolveTxt(name)).map((chunks) => chunks.join(''));
  } catch {
    return [];
  }
}

/** CAA applies from the closest name that has it (RFC 8659 §3): the domain, then its parents. */
async function caaTags(resolver: Resolver, domain: string): Promise<number> {
  const labels = domain.replace(/\.$/, '').split('.');
  for (let index = 0; index < labels.length - 1; index += 1) {
    try {
      const records = await resolver.resolveCaa(labels.slice(index).join('.'));
      if (records.length > 0) return records.length;
    } catch {
      // No CAA here: try the parent.
    }
  }
  return 0;
}

/** A domain of the tenant's: SPF, a DMARC policy that acts, CAA, and DNSSEC-validated answers. */
export async function dnsRecords(env: ProbeEnv, target: string): Promise<ProbeOutcome> {
  const domain = target.replace(/\.$/, '');
  if (isIP(domain)) {
    return { status: 'error', summary: 'A DNS check needs a domain name, not an address.', facts: {} };
  }
  const resolver = new Resolver({ timeout: env.timeoutMs, tries: 2 });
  const servers = env.dnsServers?.length ? [...env.dnsServers] : getServers();
  if (env.dnsServers?.length) resolver.setServers(servers);
  const spf = (await txt(resolver, domain)).filter((record) => /^v=spf1(\s|$)/i.test(record));
  const dmarc = (await txt(resolver, `_dmarc.${domain}`)).find((record) => /^v=DMARC1\s*(;|$)/i.test(record));
  const policy = dmarc ? (/(?:^|;)\s*p\s*=\s*([a-z]+)/i.exec(dmarc)?.[1]?.toLowerCase() ?? 'none') : '';
  const caa = await caaTags(resolver, domain);
  const ad = servers[0] ? await authenticData(servers[0], domain, env.timeoutMs) : null;

  const facts: Facts = {
    spf: spf.length === 1,
    spfRecords: spf.length,
    dmarc: Boolean(dmarc),
    dmarcPolicy: policy || 'missing',
    caa: caa > 0,
    caaRecords: caa,
    dnssecChecked: ad !== null,
  };
  if (ad !== null) facts.dnssecValidated = ad;
  const problems: string[] = [];
  if (spf.length === 0) problems.push('no SPF record');
  if (spf.length > 1) problems.push('more than one SPF record (receivers treat that as none)');
  if (!dmarc) problems.push('no DMARC record');
  else if (policy !== 'quarantine' && policy !== 'reject') problems.push(`DMARC policy is ${policy}`);
  if (caa === 0) problems.push('no CAA record');
  if (ad === false) problems.push('answers are not DNSSEC-validated');
  if (problems.length > 0) {
    const text = problems.join('; ');
    return { status: 'fail', summary: `${text.charAt(0).toUpperCase()}${text.slice(1)}.`, facts };
  }
  return {
    status: 'pass',
    summary: `SPF, DMARC with p=${policy}, CAA${ad ? ', and DNSSEC-validated answers' : ''}.`,
    facts,
  };
}
