// A local SMTP sink for the throughput benchmark, in its own process (so the client under test
// and the server do not share one event loop): smtp-server on a free loopback port that reads
// and discards every message. Tells its parent the port, then answers `count` with the number
// of messages it accepted.
import { SMTPServer } from 'smtp-server';

let accepted = 0;
const sink = new SMTPServer({
  authOptional: true,
  disabledCommands: ['AUTH', 'STARTTLS'],
  logger: false,
  closeTimeout: 100,
  onData(stream, _session, callback) {
    stream.resume();
    stream.on('end', () => {
      accepted += 1;
      callback(null, `OK: queued as Q${accepted}`);
    });
  },
});
sink.on('error', () => undefined);
sink.listen(0, '127.0.0.1', () => process.send?.({ port: sink.server.address().port }));
process.on('message', (message) => {
  if (message === 'count') {
    const { user, system } = process.cpuUsage();
    process.send?.({ accepted, cpuMs: Math.round((user + system) / 1000) });
  }
  if (message === 'stop') sink.close(() => process.exit(0));
});
