#!/usr/bin/env node
// Reference target for the public page benchmark (started by run.mjs beside this file): a bare
// `node:http` server that answers `GET <path>` with the bytes of one file and one Content-Type, read
// once at start. No framework, no logging, no compression. It shows what Node's HTTP stack costs on
// this machine, between nginx (C) and Attest (Fastify and the app on the same stack).
//
//   node bare-node.mjs <host> <port> <url path> <body file> <content type> [<content encoding>]
import fs from 'node:fs';
import http from 'node:http';

const [host, port, urlPath, file, contentType, contentEncoding] = process.argv.slice(2);
if (!host || !port || !urlPath || !file || !contentType) {
  process.stderr.write('usage: node bare-node.mjs <host> <port> <url path> <body file> <content type>\n');
  process.exit(2);
}

const body = fs.readFileSync(file);
// With a content encoding the file holds already-compressed bytes: they are only labelled.
const headers = {
  'content-type': contentType,
  'content-length': body.length,
  ...(contentEncoding ? { 'content-encoding': contentEncoding } : {}),
};

const server = http.createServer((request, response) => {
  if (request.url !== urlPath || (request.method !== 'GET' && request.method !== 'HEAD')) {
    response.writeHead(404, { 'content-length': 0 });
    response.end();
    return;
  }
  response.writeHead(200, headers);
  response.end(request.method === 'HEAD' ? undefined : body);
});

server.on('error', (error) => {
  process.stderr.write(`bare-node: ${error.message}\n`);
  process.exit(1);
});
server.listen({ host, port: Number(port) });
process.on('SIGTERM', () => {
  server.close(() => process.exit(0));
  server.closeAllConnections();
});
