#!/usr/bin/env node
// The fan-out benchmark's load driver: N websocket clients (the `ws` package) in this one process.
//
//   node driver.js --url ws://127.0.0.1:4000/ --n 1000 --out result.json [options]
//
// 1. Opens N connections, at most --connect-concurrency handshakes at a time, and measures the
//    connect rate (connections opened per second, from the first attempt until every attempt has
//    ended) and each handshake's time; a refused or failed handshake is counted by its reason
//    (`http 503`, `ECONNRESET`, `timeout`, ...).
// 2. Broadcast rounds: --warmup rounds, then --rounds measured ones. In each a client (another one
//    every round) sends one plain-text frame, unique to the round; the round's latency is the time
//    from that send until the LAST open client has received the frame (the first's is kept too).
//    A client that has not received it when the round ends counts as missing: the round ends after
//    --round-timeout-ms, or once no client has received it for --quiet-ms (a message that stopped
//    coming); the round's latency is then the time it ended (so a percentile is never flattered by
//    leaving it out).
//    The next round starts --gap-ms after the previous one ended.
// 3. Closes every client (close frame 1000) and writes the result as JSON to --out.
//
// Connections come from the loopback addresses 127.0.0.2, 127.0.0.3, ... with at most
// --per-address on each: a gateway caps the connections of one client address (the local runtime
// at 256 by default), and each source address has its own ephemeral ports.
//
// Other modes:
//   --probe  connect one client (from 127.0.0.1), send one frame, and wait for it to come back;
//            retried until --probe-timeout-ms: exits 0 once the server answers as a chat does.
//   --hold   open N idle connections, write the connect result to --out, print "holding", and
//            keep them open until SIGTERM or SIGINT (then close them and exit 0).
//   --gate FILE  after the warm-up rounds print "gate: waiting" and start the measured rounds
//            only once FILE exists (for a profiler to start in between).
'use strict';

const fs = require('fs');
const WebSocket = require('ws');

const DEFAULTS = {
  url: null,
  n: 1000,
  rounds: 20,
  warmup: 3,
  'round-timeout-ms': 60000,
  'quiet-ms': 10000,
  'gap-ms': 100,
  'connect-concurrency': 200,
  'connect-timeout-ms': 30000,
  'per-address': 200,
  'probe-timeout-ms': 120000,
  out: null,
  label: '',
  gate: null,
  hold: false,
  probe: false,
};
const FLAGS = new Set(['hold', 'probe']);

function parseArgs(argv) {
  const options = { ...DEFAULTS };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (!arg.startsWith('--')) fail(`unexpected argument '${arg}' (options start with --)`);
    let name = arg.slice(2);
    let value;
    const eq = name.indexOf('=');
    if (eq >= 0) {
      value = name.slice(eq + 1);
      name = name.slice(0, eq);
    }
    if (!(name in DEFAULTS)) fail(`unknown option --${name}; known: ${Object.keys(DEFAULTS).map((k) => '--' + k).join(', ')}`);
    if (FLAGS.has(name)) {
      options[name] = true;
      continue;
    }
    if (value === undefined) {
      if (i + 1 >= argv.length) fail(`--${name} needs a value`);
      value = argv[++i];
    }
    if (typeof DEFAULTS[name] === 'number') {
      if (!/^\d+$/.test(value)) fail(`--${name} must be a whole number, was '${value}'`);
      options[name] = Number(value);
    } else {
      options[name] = value;
    }
  }
  if (!options.url) fail('--url is required (e.g. --url ws://127.0.0.1:4000/)');
  if (!/^wss?:\/\//.test(options.url)) fail(`--url must be a ws:// or wss:// URL, was '${options.url}'`);
  if (options.n < 1) fail(`--n must be at least 1, was ${options.n}`);
  if (options['per-address'] < 1) fail(`--per-address must be at least 1, was ${options['per-address']}`);
  if (options['connect-concurrency'] < 1) fail(`--connect-concurrency must be at least 1, was ${options['connect-concurrency']}`);
  if (!options.probe && !options.out) fail('--out is required (the JSON result file)');
  return options;
}

function fail(message) {
  process.stderr.write(`driver: ${message}\n`);
  process.exit(2);
}

const now = () => process.hrtime.bigint();
const ms = (from, to) => Number(to - from) / 1e6;
const sleep = (millis) => new Promise((resolve) => setTimeout(resolve, millis));

/** The k-th source address: 127.0.0.2, 127.0.0.3, ... (then 127.0.1.0 and on). */
function sourceAddress(k) {
  const v = k + 2;
  return `127.${(v >> 16) & 255}.${(v >> 8) & 255}.${v & 255}`;
}

/** Nearest-rank percentile of sorted numbers. */
function percentile(sorted, p) {
  if (sorted.length === 0) return null;
  const rank = Math.max(1, Math.ceil((p / 100) * sorted.length));
  return sorted[Math.min(rank, sorted.length) - 1];
}

const round3 = (x) => (x == null ? null : Math.round(x * 1000) / 1000);

function count(map, key) {
  map[key] = (map[key] || 0) + 1;
}

/** Opens one client; resolves to {client} or {failure: reason}. */
function openOne(url, options, localAddress, onMessage) {
  return new Promise((resolve) => {
    const started = now();
    let settled = false;
    const ws = new WebSocket(url, {
      localAddress,
      perMessageDeflate: false,
      handshakeTimeout: options['connect-timeout-ms'],
    });
    const client = { ws, lastRound: -1, open: false, closeCode: null };
    const settle = (result) => {
      if (!settled) {
        settled = true;
        resolve(result);
      }
    };
    ws.on('open', () => {
      client.open = true;
      settle({ client, handshakeMs: ms(started, now()) });
    });
    ws.on('unexpected-response', (req, res) => {
      settle({ failure: `http ${res.statusCode}` });
      req.destroy();
    });
    ws.on('error', (error) => {
      const reason = /timed out/i.test(error.message) ? 'timeout' : error.code || error.message;
      settle({ failure: reason });
    });
    ws.on('message', (data, isBinary) => onMessage(client, data, isBinary));
    ws.on('close', (code) => {
      client.closeCode = code;
      client.open = false;
      settle({ failure: `closed ${code}` });
    });
  });
}

async function openAll(options, onMessage) {
  const clients = [];
  const failures = {};
  const handshakes = [];
  let next = 0;
  const started = now();
  async function worker() {
    while (next < options.n) {
      const i = next++;
      const address = sourceAddress(Math.floor(i / options['per-address']));
      const result = await openOne(options.url, options, address, onMessage);
      if (result.client) {
        clients.push(result.client);
        handshakes.push(result.handshakeMs);
      } else {
        count(failures, result.failure);
      }
    }
  }
  await Promise.all(Array.from({ length: Math.min(options['connect-concurrency'], options.n) }, worker));
  const seconds = ms(started, now()) / 1000;
  handshakes.sort((a, b) => a - b);
  return {
    clients,
    connect: {
      requested: options.n,
      opened: clients.length,
      failed: options.n - clients.length,
      failures,
      seconds: round3(seconds),
      ratePerSecond: round3(clients.length / seconds),
      handshakeP50Ms: round3(percentile(handshakes, 50)),
      handshakeP99Ms: round3(percentile(handshakes, 99)),
    },
  };
}

async function closeAll(clients, waitMs) {
  const open = clients.filter((c) => c.ws.readyState === WebSocket.OPEN || c.ws.readyState === WebSocket.CONNECTING);
  await Promise.all(open.map((c) => new Promise((resolve) => {
    if (c.ws.readyState === WebSocket.CLOSED) return resolve();
    const timer = setTimeout(() => {
      c.ws.terminate();
      resolve();
    }, waitMs);
    c.ws.once('close', () => {
      clearTimeout(timer);
      resolve();
    });
    try {
      c.ws.close(1000, 'benchmark done');
    } catch (e) {
      c.ws.terminate();
    }
  })));
}

async function probe(options) {
  const deadline = Date.now() + options['probe-timeout-ms'];
  let last = 'no attempt';
  while (Date.now() < deadline) {
    const payload = `probe ${process.pid} ${Date.now()}`;
    let echoed;
    const got = new Promise((resolve) => { echoed = resolve; });
    const result = await openOne(options.url, { ...options, 'connect-timeout-ms': 5000 }, '127.0.0.1',
      (client, data) => { if (data.toString() === payload) echoed(true); });
    if (result.client) {
      result.client.ws.send(payload);
      const ok = await Promise.race([got, sleep(10000).then(() => false)]);
      result.client.ws.close(1000, 'probe done');
      if (ok) {
        process.stdout.write(`probe: ${options.url} answers\n`);
        return 0;
      }
      last = 'connected, but the frame did not come back within 10 s';
    } else {
      last = result.failure;
    }
    await sleep(250);
  }
  process.stderr.write(`driver: probe of ${options.url} failed for ${options['probe-timeout-ms']} ms; last: ${last}\n`);
  return 1;
}

async function fanout(options) {
  const tag = `${process.pid}-${Date.now().toString(36)}`;
  let current = null; // the round under way: {index, payload, t0, expected, got, firstAt, lastAt, done}
  const stray = { late: 0, duplicate: 0, other: 0 };

  function onMessage(client, data) {
    const round = current;
    if (round && !round.done && data.length === round.length && data.toString() === round.payload) {
      if (client.lastRound === round.index) {
        stray.duplicate++;
        return;
      }
      client.lastRound = round.index;
      const at = now();
      if (round.got === 0) round.firstAt = at;
      round.got++;
      round.lastAt = at;
      if (round.got >= round.expected) {
        round.done = true;
        round.finish();
      }
    } else if (data.toString().startsWith(`fanout ${tag} `)) {
      stray.late++;
    } else {
      stray.other++;
    }
  }

  const { clients, connect } = await openAll(options, onMessage);
  const rssAfterConnect = process.memoryUsage().rss;
  process.stdout.write(`connect: ${connect.opened}/${connect.requested} open in ${connect.seconds} s `
    + `(${connect.ratePerSecond}/s)${connect.failed ? `; failed: ${JSON.stringify(connect.failures)}` : ''}\n`);

  const result = {
    label: options.label,
    url: options.url,
    n: options.n,
    connect,
    driverRssMiB: round3(rssAfterConnect / 1048576),
    driverHeapMiB: round3(process.memoryUsage().heapUsed / 1048576),
  };

  if (options.hold) {
    result.mode = 'hold';
    fs.writeFileSync(options.out, JSON.stringify(result, null, 2) + '\n');
    process.stdout.write('holding\n');
    await new Promise((resolve) => {
      process.once('SIGTERM', resolve);
      process.once('SIGINT', resolve);
    });
    await closeAll(clients, 10000);
    return 0;
  }

  const rounds = [];
  const total = options.warmup + options.rounds;
  for (let r = 0; r < total; r++) {
    if (r === options.warmup && options.gate) {
      process.stdout.write('gate: waiting\n');
      while (!fs.existsSync(options.gate)) await sleep(50);
    }
    const live = clients.filter((c) => c.ws.readyState === WebSocket.OPEN);
    if (live.length === 0) break;
    const sender = live[(r * 7919) % live.length];
    const payload = `fanout ${tag} ${r}`;
    const round = {
      index: r, payload, length: Buffer.byteLength(payload), expected: live.length, got: 0,
      firstAt: null, lastAt: null, done: false, finish: null,
    };
    const finished = new Promise((resolve) => { round.finish = resolve; });
    current = round;
    round.t0 = now();
    sender.ws.send(payload);
    const end = () => {
      round.done = true;
      round.finish();
    };
    const timer = setTimeout(end, options['round-timeout-ms']);
    const quiet = setInterval(() => {
      if (ms(round.lastAt || round.t0, now()) >= options['quiet-ms']) end(); // nobody received it for --quiet-ms
    }, Math.min(500, options['quiet-ms']));
    await finished;
    const endedAt = now();
    clearTimeout(timer);
    clearInterval(quiet);
    const complete = round.got >= round.expected;
    rounds.push({
      round: r,
      warmup: r < options.warmup,
      clients: round.expected,
      received: round.got,
      missing: round.expected - round.got,
      lastMs: round3(ms(round.t0, complete ? round.lastAt : endedAt)),
      firstMs: round.firstAt ? round3(ms(round.t0, round.firstAt)) : null,
      complete,
    });
    current = null;
    if (options['gap-ms'] > 0) await sleep(options['gap-ms']);
  }

  const measured = rounds.filter((r) => !r.warmup);
  const last = measured.map((r) => r.lastMs).sort((a, b) => a - b);
  const first = measured.filter((r) => r.firstMs != null).map((r) => r.firstMs).sort((a, b) => a - b);
  const closedDuring = {};
  clients.filter((c) => c.ws.readyState !== WebSocket.OPEN).forEach((c) => count(closedDuring, `closed ${c.closeCode}`));
  result.broadcast = {
    rounds: measured.length,
    warmupRounds: rounds.length - measured.length,
    p50Ms: round3(percentile(last, 50)),
    p99Ms: round3(percentile(last, 99)),
    minMs: round3(last[0]),
    maxMs: round3(last[last.length - 1]),
    meanMs: round3(last.reduce((a, b) => a + b, 0) / (last.length || 1)),
    firstP50Ms: round3(percentile(first, 50)),
    incompleteRounds: measured.filter((r) => !r.complete).length,
    missing: measured.reduce((a, r) => a + r.missing, 0),
    roundTimeoutMs: options['round-timeout-ms'],
    quietMs: options['quiet-ms'],
    closedDuring,
    stray,
  };
  result.rounds = rounds;
  result.failures = connect.failed + result.broadcast.missing;
  fs.writeFileSync(options.out, JSON.stringify(result, null, 2) + '\n');
  process.stdout.write(`broadcast: ${measured.length} rounds to ${measured.length ? measured[0].clients : 0}: `
    + `p50 ${result.broadcast.p50Ms} ms, p99 ${result.broadcast.p99Ms} ms, missing ${result.broadcast.missing}\n`);
  await closeAll(clients, 10000);
  return 0;
}

async function main() {
  const options = parseArgs(process.argv.slice(2));
  const code = options.probe ? await probe(options) : await fanout(options);
  process.exit(code);
}

main().catch((error) => {
  process.stderr.write(`driver: ${error.stack || error}\n`);
  process.exit(1);
});
