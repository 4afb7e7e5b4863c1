import net from 'node:net';
import tls from 'node:tls';

/**
 * One SMTP connection: it opens (greeting, EHLO, STARTTLS when offered, AUTH when the URL has
 * credentials), then writes commands and hands out the server's replies in the order they come.
 * Commands may be written ahead of their replies (RFC 2920 pipelining): every expected reply is
 * a waiter in a queue, and the first waiter's deadline is the only timer that runs.
 */

export interface SmtpTarget {
  host: string;
  port: number;
  /** smtps://: TLS from the first byte. */
  secure: boolean;
  user?: string;
  pass?: string;
  /** The name given in EHLO. */
  name: string;
  /** Certificate checks for smtps:// and STARTTLS (a private CA, or none for a lab server). */
  tls?: tls.ConnectionOptions;
}

export interface SmtpTimeouts {
  /** TCP (and for smtps:// TLS) connection. */
  connectMs: number;
  /** The server's 220 greeting. */
  greetingMs: number;
  /** The reply to each command (EHLO, MAIL, RCPT, DATA, RSET, AUTH). */
  commandMs: number;
  /** The reply to the end of a message: RFC 5321 (4.5.3.2.6) gives the server 10 minutes. */
  dataEndMs: number;
}

export interface SmtpReply {
  code: number;
  /** The reply's lines, joined: kept only as an accepted mail's `response`, never in errors. */
  text: string;
}

/** A connection-level failure: `code` is technical (ECONNECTION, ETIMEDOUT, ETLS, EAUTH, EPROTOCOL). */
export class SmtpError extends Error {
  constructor(
    readonly code: string,
    readonly responseCode?: number,
  ) {
    super(`smtp ${code}${responseCode ? ` ${responseCode}` : ''}`);
    this.name = 'SmtpError';
  }
}

/** The target named by an smtp:// or smtps:// URL (user and password percent-decoded). */
export function targetOf(url: string, name: string, tlsOptions?: tls.ConnectionOptions): SmtpTarget {
  const parsed = new URL(url);
  const secure = parsed.protocol === 'smtps:';
  if (!secure && parsed.protocol !== 'smtp:') throw new Error('SMTP URL must be smtp:// or smtps://');
  const host = parsed.hostname.replace(/^\[(.*)\]$/, '$1');
  const insecure = parsed.searchParams.get('tls.rejectUnauthorized') === 'false';
  return {
    host,
    port: parsed.port ? Number(parsed.port) : secure ? 465 : 587,
    secure,
    ...(parsed.username ? { user: decodeURIComponent(parsed.username) } : {}),
    ...(parsed.password ? { pass: decodeURIComponent(parsed.password) } : {}),
    name,
    tls: { ...(insecure ? { rejectUnauthorized: false } : {}), ...tlsOptions },
  };
}

interface Waiter {
  timeoutMs: number;
  resolve: (reply: SmtpReply) => void;
  reject: (error: SmtpError) => void;
}

export class SmtpConnection {
  private socket: net.Socket;
  private readonly waiters: Waiter[] = [];
  private partial = '';
  private lines: string[] = [];
  private timer: NodeJS.Timeout | null = null;
  private failure: SmtpError | null = null;
  private readonly extensions = new Set<string>();
  private authMethods = new Set<string>();
  private readonly closed: Promise<void>;
  private markClosed!: () => void;
  /** The server said 421 (or otherwise ended the session): take no more mail on it. */
  closing = false;

  private constructor(
    private readonly target: SmtpTarget,
    private readonly timeouts: SmtpTimeouts,
  ) {
    this.closed = new Promise((resolve) => {
      this.markClosed = resolve;
    });
    this.socket = this.attach(
      target.secure
        ? tls.connect({
            host: target.host,
            port: target.port,
            servername: servername(target.host),
            ...target.tls,
          })
        : net.connect({ host: target.host, port: target.port }),
    );
  }

  /** Opens and prepares a connection; rejects with an SmtpError when it cannot be used. */
  static async open(target: SmtpTarget, timeouts: SmtpTimeouts): Promise<SmtpConnection> {
    const connection = new SmtpConnection(target, timeouts);
    try {
      await connection.connected(target.secure ? 'secureConnect' : 'connect');
      const greeting = await connection.enqueue(timeouts.greetingMs);
      if (greeting.code !== 220) throw new SmtpError('EPROTOCOL', greeting.code);
      await connection.hello();
      if (!target.secure && connection.extensions.has('STARTTLS')) {
        await connection.expectOk(await connection.command('STARTTLS'), 'ETLS');
        await connection.upgrade();
        await connection.hello();
      }
      if (target.user !== undefined) await connection.authenticate(target.user, target.pass ?? '');
      return connection;
    } catch (error) {
      connection.destroy(asSmtpError(error));
      throw asSmtpError(error);
    }
  }

  /** Whether the server takes pipelined commands (RFC 2920). */
  get pipelining(): boolean {
    return this.extensions.has('PIPELINING');
  }

  get usable(): boolean {
    return this.failure === null && !this.closing;
  }

  /**
   * Writes `data` and returns one promise per reply it asks for (their deadlines in order). The
   * waiters are queued before the bytes leave, so no reply can come before its waiter. Resolves
   * `written` once the socket took the bytes (waiting for it to drain when its buffer is full).
   */
  send(
    data: string | Buffer | (string | Buffer)[],
    deadlines: number[],
  ): { replies: Promise<SmtpReply>[]; written: Promise<void> } {
    const replies = deadlines.map((timeoutMs) => this.enqueue(timeoutMs));
    if (this.failure) return { replies, written: Promise.resolve() };
    let drained = true;
    // Corked: the chunks leave as one write (one segment when they fit), a pipelined group.
    this.socket.cork();
    for (const chunk of Array.isArray(data) ? data : [data]) drained = this.socket.write(chunk);
    this.socket.uncork();
    const written = drained ? Promise.resolve() : this.drained();
    return { replies, written };
  }

  /** One command, one reply. */
  async command(line: string, timeoutMs = this.timeouts.commandMs): Promise<SmtpReply> {
    const { replies, written } = this.send(`${line}\r\n`, [timeoutMs]);
    await written;
    return replies[0] as Promise<SmtpReply>;
  }

  /** Ends the session politely (QUIT), then closes; never rejects. */
  async quit(): Promise<void> {
    if (this.usable) {
      const { replies } = this.send('QUIT\r\n', [Math.min(this.timeouts.commandMs, 5_000)]);
      await (replies[0] as Promise<SmtpReply>).catch(() => undefined);
    }
    this.destroy(new SmtpError('ECONNECTION'));
    await this.closed;
  }

  /** Drops the connection: every reply still awaited rejects with `error`. */
  destroy(error: SmtpError): void {
    this.fail(error);
    this.socket.destroy();
  }

  /** Resolves when the socket is gone. */
  get done(): Promise<void> {
    return this.closed;
  }

  private attach(socket: net.Socket): net.Socket {
    socket.setNoDelay(true);
    socket.setEncoding('latin1');
    socket.on('data', (chunk: string) => this.receive(chunk));
    socket.on('error', (error: NodeJS.ErrnoException) =>
      this.fail(
        new SmtpError(
          /CERT|SSL|TLS|SELF_SIGNED|UNABLE_TO_VERIFY/i.test(error.code ?? '') ? 'ETLS' : 'ECONNECTION',
        ),
      ),
    );
    socket.on('close', () => {
      this.fail(new SmtpError('ECONNECTION'));
      if (socket === this.socket) this.markClosed();
    });
    return socket;
  }

  private connected(event: 'connect' | 'secureConnect'): Promise<void> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.destroy(new SmtpError('ETIMEDOUT'));
        reject(new SmtpError('ETIMEDOUT'));
      }, this.timeouts.connectMs);
      this.socket.once(event, () => {
        clearTimeout(timer);
        resolve();
      });
      this.socket.once('close', () => {
        clearTimeout(timer);
        reject(this.failure ?? new SmtpError('ECONNECTION'));
      });
    });
  }

  private drained(): Promise<void> {
    return new Promise((resolve) => {
      const done = () => {
        this.socket.off('drain', done);
        this.socket.off('close', done);
        resolve();
      };
      this.socket.on('drain', done);
      this.socket.on('close', done);
    });
  }

  private enqueue(timeoutMs: number): Promise<SmtpReply> {
    const reply = new Promise<SmtpReply>((resolve, reject) => {
      if (this.failure) reject(this.failure);
      else {
        this.waiters.push({ timeoutMs, resolve, reject });
        if (this.waiters.length === 1) this.arm();
      }
    });
    // A caller that stops listening (its connection failed first) leaves no unhandled rejection.
    reply.catch(() => undefined);
    return reply;
  }

  /** The deadline of the first reply awaited; the others start when it comes. */
  private arm(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    const head = this.waiters[0];
    if (!head) return;
    this.timer = setTimeout(() => this.destroy(new SmtpError('ETIMEDOUT')), head.timeoutMs);
  }

  private receive(chunk: string): void {
    const data = this.partial + chunk;
    let start = 0;
    for (let end = data.indexOf('\n', start); end >= 0; end = data.indexOf('\n', start)) {
      const line = data.slice(start, data[end - 1] === '\r' ? end - 1 : end);
      start = end + 1;
      this.lines.push(line);
      // The last line of a reply has a space (or nothing) after its code; the others a '-'.
      if (line[3] === '-') continue;
      const reply: SmtpReply = {
        code: Number.parseInt(line.slice(0, 3), 10) || 0,
        text: this.lines.join('\n'),
      };
      this.lines = [];
      this.dispatch(reply);
    }
    this.partial = data.slice(start);
    if (this.partial.length > 64 * 1024) this.destroy(new SmtpError('EPROTOCOL'));
  }

  private dispatch(reply: SmtpReply): void {
    // 421: the server is closing this session; what is still awaited fails as the socket closes.
    if (reply.code === 421) this.closing = true;
    const waiter = this.waiters.shift();
    if (!waiter) {
      if (reply.code === 421) this.destroy(new SmtpError('ECONNECTION', 421));
      return;
    }
    this.arm();
    waiter.resolve(reply);
  }

  private fail(error: SmtpError): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    this.failure ??= error;
    for (const waiter of this.waiters.splice(0)) waiter.reject(this.failure);
  }

  private expectOk(reply: SmtpReply, failure: string): void {
    if (reply.code < 200 || reply.code >= 400) throw new SmtpError(failure, reply.code);
  }

  private async hello(): Promise<void> {
    let reply = await this.command(`EHLO ${this.target.name}`);
    this.extensions.clear();
    this.authMethods = new Set();
    if (reply.code !== 250) {
      reply = await this.command(`HELO ${this.target.name}`);
      this.expectOk(reply, 'EPROTOCOL');
      return;
    }
    for (const line of reply.text.split('\n').slice(1)) {
      const [keyword = '', ...parameters] = line.slice(4).trim().toUpperCase().split(/\s+/);
      this.extensions.add(keyword);
      if (keyword === 'AUTH') this.authMethods = new Set(parameters);
    }
  }

  private async upgrade(): Promise<void> {
    const plain = this.socket;
    plain.removeAllListeners('data');
    plain.removeAllListeners('close');
    plain.removeAllListeners('error');
    plain.on('error', () => undefined);
    this.socket = this.attach(
      tls.connect({ socket: plain, servername: servername(this.target.host), ...this.target.tls }),
    );
    plain.on('close', () => this.socket.destroy());
    await this.connected('secureConnect').catch((error: unknown) => {
      throw asSmtpError(error, 'ETLS');
    });
  }

  private async authenticate(user: string, pass: string): Promise<void> {
    if (this.authMethods.has('PLAIN')) {
      const token = Buffer.from(`\0${user}\0${pass}`).toString('base64');
      this.expectAuthed(await this.command(`AUTH PLAIN ${token}`));
      return;
    }
    if (this.authMethods.has('LOGIN')) {
      const start = await this.command('AUTH LOGIN');
      if (start.code !== 334) throw new SmtpError('EAUTH', start.code);
      const name = await this.command(Buffer.from(user).toString('base64'));
      if (name.code !== 334) throw new SmtpError('EAUTH', name.code);
      this.expectAuthed(await this.command(Buffer.from(pass).toString('base64')));
      return;
    }
    throw new SmtpError('EAUTH');
  }

  private expectAuthed(reply: SmtpReply): void {
    if (reply.code !== 235) throw new SmtpError('EAUTH', reply.code);
  }
}

/** SNI takes a host name, never an IP address. */
function servername(host: string): string | undefined {
  return net.isIP(host) ? undefined : host;
}

function asSmtpError(error: unknown, code = 'ECONNECTION'): SmtpError {
  return error instanceof SmtpError ? error : new SmtpError(code);
}
