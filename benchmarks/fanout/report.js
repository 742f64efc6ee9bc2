#!/usr/bin/env node
// The fan-out suite's bookkeeping and report, with no dependency beyond Node itself:
//
//   node report.js machine OUT.json                 the machine and the run's settings (FANOUT_SETTINGS, JSON)
//   node report.js record OUT.json --variant V --n N --status S [--driver D.json] [--memory h0,h1,r0,r1]
//        --load-before L --load-after L --started T --seconds S --commands TEXT
//                                                   one run's result: the driver's JSON and what ran
//   node report.js hot RECORDING.jfr OUT.json       the hottest frames of a JFR recording (jfr print)
//   node report.js report RESULTS_DIR               RESULTS_DIR/results.csv, memory.csv, summary.md, and
//                                                   docs/benchmarks.md with its charts docs/benchmarks/*.svg
'use strict';

const fs = require('fs');
const os = require('os');
const path = require('path');
const readline = require('readline');
const { spawn, spawnSync } = require('child_process');

const ROOT = path.resolve(__dirname, '..', '..');
const DOCS = path.join(ROOT, 'docs');
const CHARTS = path.join(DOCS, 'benchmarks');

/** The variants in the order of every table and legend. */
const VARIANTS = [
  'floor', 'seed', 'seed-parallel',
  'embedded-memory', 'embedded-redis', 'embedded-postgres', 'embedded-nitric',
  'separate-memory', 'separate-redis', 'separate-postgres', 'separate-nitric',
];
const STORES = ['memory', 'redis', 'postgres', 'nitric'];
const DESCRIPTIONS = {
  floor: "local-runtime's gateway alone writes each frame to every connection (`FanoutFloor`): no gRPC, no app",
  seed: 'the official Node SDK seed chat (`@nitric/sdk` 1.2.2, one `await socket.send` per key) on the standalone runtime jar',
  'seed-parallel': 'the same Node SDK app with its sends in `Promise.all`, on the standalone runtime jar',
  embedded: "nitric-ws's chat with the runtime in its process (`java -jar bootstrap/target/nitric-ws.jar --store=STORE`, as `bin/chat`)",
  separate: "nitric-ws's chat as a process of its own (`--service-address`) on the standalone runtime jar",
};
const TARGET_N = 10000;
const HOLD_N = 19000;

// ------------------------------------------------------------------------------------ helpers

function fail(message) {
  process.stderr.write(`report: ${message}\n`);
  process.exit(2);
}

function options(argv, names) {
  const result = {};
  for (let i = 0; i < argv.length; i++) {
    const name = argv[i].replace(/^--/, '');
    if (!argv[i].startsWith('--') || !names.includes(name)) fail(`unknown argument '${argv[i]}'; known: ${names.map((n) => '--' + n).join(', ')}`);
    if (i + 1 >= argv.length) fail(`${argv[i]} needs a value`);
    result[name] = argv[++i];
  }
  return result;
}

const readJson = (file) => JSON.parse(fs.readFileSync(file, 'utf8'));
const rel = (file) => path.relative(ROOT, path.resolve(file)).split(path.sep).join('/');

/** What a command prints (stdout and stderr: `java -version` writes to stderr), or "not available". */
function run(command, args) {
  const result = spawnSync(command, args, { encoding: 'utf8' });
  const text = `${result.stdout || ''}${result.stderr || ''}`.trim();
  return result.error || !text ? 'not available' : text;
}

function fmt(x, digits) {
  if (x == null || Number.isNaN(x)) return '–';
  const d = digits != null ? digits : Math.abs(x) >= 100 ? 0 : Math.abs(x) >= 10 ? 1 : 2;
  return x.toLocaleString('en-US', { minimumFractionDigits: d, maximumFractionDigits: d });
}
const ratio = (x) => (x == null || !Number.isFinite(x) ? '–' : `${fmt(x, x >= 10 ? 0 : x >= 1 ? 1 : 2)}×`);
const shortN = (n) => (n >= 1000 && n % 1000 === 0 ? `${n / 1000}k` : n >= 1000 ? `${fmt(n / 1000, 1)}k` : String(n));
const esc = (s) => String(s).replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
const cell = (s) => String(s).replace(/\|/g, '\\|').replace(/\n/g, ' ');

// ------------------------------------------------------------------------------------ machine

function machine(out) {
  const settings = process.env.FANOUT_SETTINGS ? JSON.parse(process.env.FANOUT_SETTINGS) : {};
  const version = (dir, name) => {
    try {
      return readJson(path.join(ROOT, dir, 'node_modules', name, 'package.json')).version;
    } catch (e) {
      return 'not installed';
    }
  };
  const description = {
    cores: os.cpus().length,
    cpu: (os.cpus()[0] || {}).model || 'unknown',
    memoryGiB: Math.round((os.totalmem() / 1073741824) * 10) / 10,
    kernel: `${os.type()} ${os.release()}`,
    java: run('java', ['-version']).split('\n')[0],
    node: process.version,
    ws: version('benchmarks/fanout/driver', 'ws'),
    nitricSdk: version('it-tests/src/test/node/chat-app', '@nitric/sdk'),
    redis: run('redis-server', ['--version']).split(' ').slice(0, 3).join(' '),
    postgres: run('psql', ['--version']),
    loadBefore: fs.readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' '),
    commit: run('git', ['-C', ROOT, 'log', '-1', '--format=%h %s']).split('\n')[0],
    settings,
  };
  if (fs.existsSync(out)) {
    // a resumed run: the machine as it was first described, this invocation's settings, the earlier ones kept
    const first = readJson(out);
    description.resumed = [...(first.resumed || []), { loadBefore: description.loadBefore, settings }];
    description.loadBefore = first.loadBefore;
    description.earlierSettings = [...(first.earlierSettings || []), first.settings];
  }
  fs.writeFileSync(out, JSON.stringify(description, null, 2) + '\n');
}

// ------------------------------------------------------------------------------------ record

function record(out, argv) {
  const o = options(argv, ['variant', 'n', 'status', 'driver', 'memory', 'load-before', 'load-after', 'started', 'seconds', 'commands']);
  const result = {
    variant: o.variant,
    n: Number(o.n),
    status: o.status,
    started: o.started,
    seconds: Number(o.seconds),
    loadBefore: o['load-before'],
    loadAfter: o['load-after'],
    commands: (o.commands || '').split('\n').filter(Boolean),
  };
  if (o.driver && fs.existsSync(o.driver)) result.driver = readJson(o.driver);
  if (o.memory != null) {
    const [heapBefore, heapAfter, rssBefore, rssAfter] = o.memory.split(',').map((v) => (v === '' ? null : Number(v)));
    const opened = result.driver ? result.driver.connect.opened : 0;
    const per = (a, b) => (a != null && b != null && opened > 0 ? Math.round(((b - a) / opened) * 1000) / 1000 : null);
    result.memory = {
      heapBeforeKiB: heapBefore, heapAfterKiB: heapAfter, rssBeforeKiB: rssBefore, rssAfterKiB: rssAfter,
      connections: opened, heapPerConnectionKiB: per(heapBefore, heapAfter), rssPerConnectionKiB: per(rssBefore, rssAfter),
    };
  }
  fs.writeFileSync(out, JSON.stringify(result, null, 2) + '\n');
}

// ------------------------------------------------------------------------------------ hot frames

/** The library a frame belongs to: its package's first three parts (`io.lettuce.core`, `org.postgresql.core`). */
const library = (frame) => frame.replace(/\(.*$/, '').split('.').slice(0, 3).join('.');

/** JVM and machine CPU over a recording (jdk.CPULoad, fractions of all cores), averaged. */
async function cpuLoad(recording) {
  const child = spawn('jfr', ['print', '--events', 'jdk.CPULoad', recording], { stdio: ['ignore', 'pipe', 'inherit'] });
  const sums = { jvmUser: 0, jvmSystem: 0, machineTotal: 0 };
  let n = 0;
  for await (const line of readline.createInterface({ input: child.stdout })) {
    const m = line.trim().match(/^(jvmUser|jvmSystem|machineTotal) = ([\d.]+)%/);
    if (m) {
      sums[m[1]] += Number(m[2]);
      if (m[1] === 'machineTotal') n++;
    }
  }
  await new Promise((resolve) => child.on('close', resolve));
  if (!n) return null;
  const avg = (x) => Math.round((x / n) * 10) / 10;
  return { events: n, jvmPercent: avg(sums.jvmUser + sums.jvmSystem), machinePercent: avg(sums.machineTotal) };
}

/**
 * Aggregates `jfr print --events jdk.ExecutionSample`: top frames, first project frames, the
 * libraries of the top frames, threads; and the CPU the JVM and the whole machine used.
 */
async function hot(recording, out) {
  const child = spawn('jfr', ['print', '--events', 'jdk.ExecutionSample', '--stack-depth', '64', recording], { stdio: ['ignore', 'pipe', 'inherit'] });
  const self = new Map();
  const project = new Map();
  const threads = new Map();
  const libraries = new Map();
  let samples = 0;
  let inStack = false;
  let frames = [];
  let thread = '';
  const add = (map, key) => map.set(key, (map.get(key) || 0) + 1);
  const lines = readline.createInterface({ input: child.stdout });
  for await (const line of lines) {
    const t = line.trim();
    if (t.startsWith('sampledThread = ')) {
      // thread names without their numbers and ids, so that a pool's threads add up
      thread = (t.match(/"([^"]*)"/) || [, '?'])[1].replace(/[0-9a-f]{8}/g, '*').replace(/\d+/g, 'N');
    } else if (t === 'stackTrace = [') {
      inStack = true;
      frames = [];
    } else if (inStack && t === ']') {
      inStack = false;
      samples++;
      add(threads, thread);
      if (frames.length) {
        add(self, frames[0]);
        add(libraries, library(frames[0]));
      }
      const mine = frames.find((f) => f.startsWith('dev.nitricws.'));
      add(project, mine || '(no nitric-ws frame)');
    } else if (inStack && t !== '...') {
      frames.push(t.replace(/\s+line: \d+.*$/, '').replace(/\s+bci: \d+.*$/, ''));
    }
  }
  await new Promise((resolve) => child.on('close', resolve));
  const top = (map, k) => [...map.entries()].sort((a, b) => b[1] - a[1]).slice(0, k)
    .map(([frame, count]) => ({ frame, samples: count, percent: Math.round((count / Math.max(samples, 1)) * 1000) / 10 }));
  fs.writeFileSync(out, JSON.stringify({
    recording: rel(recording), samples, topFrames: top(self, 15), topProjectFrames: top(project, 15), threads: top(threads, 10),
    libraries: top(libraries, 10), cpu: await cpuLoad(recording),
  }, null, 2) + '\n');
}

// ------------------------------------------------------------------------------------ charts

const PALETTE = {
  floor: '#000000', seed: '#d62728', 'seed-parallel': '#ff9896',
  'embedded-memory': '#1f77b4', 'embedded-redis': '#2ca02c', 'embedded-postgres': '#9467bd', 'embedded-nitric': '#8c564b',
  'separate-memory': '#1f77b4', 'separate-redis': '#2ca02c', 'separate-postgres': '#9467bd', 'separate-nitric': '#8c564b',
};
const dashOf = (name) => (name.startsWith('separate-') ? '7 4' : name === 'seed-parallel' ? '3 3' : '');

function logTicks(min, max) {
  const ticks = [];
  for (let e = Math.floor(Math.log10(min)); e <= Math.ceil(Math.log10(max)); e++) {
    for (const m of [1, 2, 5]) {
      const v = m * 10 ** e;
      if (v >= min / 1.0001 && v <= max * 1.0001) ticks.push(v);
    }
  }
  return ticks;
}

function linearTicks(min, max, count) {
  const span = max - min || 1;
  const step0 = span / count;
  const mag = 10 ** Math.floor(Math.log10(step0));
  const step = [1, 2, 5, 10].map((m) => m * mag).find((s) => s >= step0) || step0;
  const ticks = [];
  for (let v = Math.ceil(min / step) * step; v <= max + step * 1e-9; v += step) ticks.push(Math.round(v * 1e9) / 1e9);
  return ticks;
}

const tickLabel = (v) => (v === 0 ? '0' : v >= 1000 ? `${fmt(v / 1000, v % 1000 === 0 ? 0 : 1)}k` : v >= 1 ? fmt(v, 0) : fmt(v, v >= 0.1 ? 1 : 2));

/**
 * A line chart as SVG: series [{name, points: [[x, y]...]}], x linear (ticks at the xs given),
 * y logarithmic when the values span more than a factor of 20, else linear from 0.
 */
function lineChart({ title, xLabel, yLabel, series, xs }) {
  const W = 820, H = 460, left = 74, right = 190, top = 44, bottom = 56;
  const pw = W - left - right, ph = H - top - bottom;
  const ys = series.flatMap((s) => s.points.map((p) => p[1])).filter((y) => y != null && y > 0);
  const xMin = Math.min(...xs), xMax = Math.max(...xs);
  const x0 = xMin === xMax ? xMin * 0.5 : 0, x1 = xMin === xMax ? xMax * 1.5 : xMax * 1.04;
  const sx = (x) => left + ((x - x0) / (x1 - x0)) * pw;
  let sy, yTicks;
  const yMin = ys.length ? Math.min(...ys) : 1, yMax = ys.length ? Math.max(...ys) : 10;
  const log = yMax / yMin > 20;
  if (log) {
    const lo = 10 ** Math.floor(Math.log10(yMin)), hi = 10 ** Math.ceil(Math.log10(yMax));
    sy = (y) => top + ph - ((Math.log10(y) - Math.log10(lo)) / (Math.log10(hi) - Math.log10(lo))) * ph;
    yTicks = logTicks(lo, hi);
  } else {
    const hi = yMax * 1.1 || 1;
    yTicks = linearTicks(0, hi, 6);
    const top2 = yTicks[yTicks.length - 1] || hi;
    sy = (y) => top + ph - (y / top2) * ph;
  }
  const parts = [];
  parts.push(`<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="Helvetica, Arial, sans-serif" font-size="12">`);
  parts.push(`<rect width="${W}" height="${H}" fill="#ffffff"/>`);
  parts.push(`<text x="${left + pw / 2}" y="24" text-anchor="middle" font-size="15" font-weight="bold">${esc(title)}</text>`);
  for (const t of yTicks) {
    const y = sy(t);
    parts.push(`<line x1="${left}" y1="${y.toFixed(1)}" x2="${left + pw}" y2="${y.toFixed(1)}" stroke="#e3e3e3"/>`);
    parts.push(`<text x="${left - 8}" y="${(y + 4).toFixed(1)}" text-anchor="end">${esc(tickLabel(t))}</text>`);
  }
  for (const x of xs) {
    const px = sx(x);
    parts.push(`<line x1="${px.toFixed(1)}" y1="${top}" x2="${px.toFixed(1)}" y2="${top + ph}" stroke="#f0f0f0"/>`);
    parts.push(`<text x="${px.toFixed(1)}" y="${top + ph + 18}" text-anchor="middle">${esc(shortN(x))}</text>`);
  }
  parts.push(`<line x1="${left}" y1="${top + ph}" x2="${left + pw}" y2="${top + ph}" stroke="#333"/>`);
  parts.push(`<line x1="${left}" y1="${top}" x2="${left}" y2="${top + ph}" stroke="#333"/>`);
  parts.push(`<text x="${left + pw / 2}" y="${H - 14}" text-anchor="middle">${esc(xLabel)}</text>`);
  parts.push(`<text transform="translate(18 ${top + ph / 2}) rotate(-90)" text-anchor="middle">${esc(yLabel)}${log ? ' (log scale)' : ''}</text>`);
  series.forEach((s, i) => {
    const pts = s.points.filter((p) => p[1] != null && p[1] > 0);
    const color = PALETTE[s.name] || '#555';
    const dash = dashOf(s.name);
    if (pts.length > 1) {
      parts.push(`<polyline fill="none" stroke="${color}" stroke-width="2"${dash ? ` stroke-dasharray="${dash}"` : ''} points="${pts.map((p) => `${sx(p[0]).toFixed(1)},${sy(p[1]).toFixed(1)}`).join(' ')}"/>`);
    }
    for (const p of pts) {
      parts.push(`<circle cx="${sx(p[0]).toFixed(1)}" cy="${sy(p[1]).toFixed(1)}" r="3.5" fill="${s.name.startsWith('separate-') ? '#ffffff' : color}" stroke="${color}" stroke-width="1.5"><title>${esc(`${s.name}, N=${p[0]}: ${fmt(p[1])}`)}</title></circle>`);
    }
    const ly = top + 6 + i * 20;
    const lx = left + pw + 16;
    parts.push(`<line x1="${lx}" y1="${ly}" x2="${lx + 26}" y2="${ly}" stroke="${color}" stroke-width="2"${dash ? ` stroke-dasharray="${dash}"` : ''}/>`);
    parts.push(`<circle cx="${lx + 13}" cy="${ly}" r="3.5" fill="${s.name.startsWith('separate-') ? '#ffffff' : color}" stroke="${color}" stroke-width="1.5"/>`);
    parts.push(`<text x="${lx + 32}" y="${ly + 4}">${esc(s.name)}</text>`);
  });
  parts.push('</svg>');
  return parts.join('\n') + '\n';
}

/** A grouped bar chart as SVG: groups [{label, bars: [{name, value}]}], y logarithmic. */
function barChart({ title, yLabel, groups, names, colors }) {
  const W = 940, H = 500, left = 74, right = 170, top = 44, bottom = 120;
  const pw = W - left - right, ph = H - top - bottom;
  const values = groups.flatMap((g) => g.bars.map((b) => b.value)).filter((v) => v > 0);
  const lo = 10 ** Math.floor(Math.log10(Math.min(...values))), hi = 10 ** Math.ceil(Math.log10(Math.max(...values)));
  const sy = (y) => top + ph - ((Math.log10(y) - Math.log10(lo)) / (Math.log10(hi) - Math.log10(lo))) * ph;
  const gw = pw / groups.length, bw = Math.min(18, (gw * 0.8) / names.length);
  const parts = [];
  parts.push(`<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="Helvetica, Arial, sans-serif" font-size="12">`);
  parts.push(`<rect width="${W}" height="${H}" fill="#ffffff"/>`);
  parts.push(`<text x="${left + pw / 2}" y="24" text-anchor="middle" font-size="15" font-weight="bold">${esc(title)}</text>`);
  for (const t of logTicks(lo, hi)) {
    const y = sy(t);
    parts.push(`<line x1="${left}" y1="${y.toFixed(1)}" x2="${left + pw}" y2="${y.toFixed(1)}" stroke="#e3e3e3"/>`);
    parts.push(`<text x="${left - 8}" y="${(y + 4).toFixed(1)}" text-anchor="end">${esc(tickLabel(t))}</text>`);
  }
  groups.forEach((g, i) => {
    const gx = left + i * gw + (gw - bw * names.length) / 2;
    g.bars.forEach((b) => {
      const k = names.indexOf(b.name);
      if (!(b.value > 0)) return;
      const y = sy(b.value);
      parts.push(`<rect x="${(gx + k * bw).toFixed(1)}" y="${y.toFixed(1)}" width="${(bw - 1).toFixed(1)}" height="${(top + ph - y).toFixed(1)}" fill="${colors[k]}"><title>${esc(`${g.label}, ${b.name}: ${fmt(b.value)} ops/s`)}</title></rect>`);
    });
    const cx = left + i * gw + gw / 2;
    parts.push(`<text transform="translate(${cx.toFixed(1)} ${top + ph + 10}) rotate(50)" text-anchor="start" font-size="11">${esc(g.label)}</text>`);
  });
  parts.push(`<line x1="${left}" y1="${top + ph}" x2="${left + pw}" y2="${top + ph}" stroke="#333"/>`);
  parts.push(`<line x1="${left}" y1="${top}" x2="${left}" y2="${top + ph}" stroke="#333"/>`);
  parts.push(`<text transform="translate(18 ${top + ph / 2}) rotate(-90)" text-anchor="middle">${esc(yLabel)} (log scale)</text>`);
  names.forEach((name, k) => {
    const ly = top + 6 + k * 20, lx = left + pw + 16;
    parts.push(`<rect x="${lx}" y="${ly - 6}" width="14" height="12" fill="${colors[k]}"/>`);
    parts.push(`<text x="${lx + 20}" y="${ly + 4}">${esc(name)}</text>`);
  });
  parts.push('</svg>');
  return parts.join('\n') + '\n';
}

// ------------------------------------------------------------------------------------ report

function csvLine(values) {
  return values.map((v) => (v == null ? '' : /[",\n]/.test(String(v)) ? `"${String(v).replace(/"/g, '""')}"` : String(v))).join(',');
}

function readCsv(file) {
  const [head, ...rows] = fs.readFileSync(file, 'utf8').trim().split('\n');
  const names = head.split(',');
  return rows.map((row) => Object.fromEntries(row.split(',').map((v, i) => [names[i], v])));
}

function newestStores() {
  const dir = path.join(ROOT, 'benchmarks', 'results');
  if (!fs.existsSync(dir)) return null;
  const found = fs.readdirSync(dir).filter((d) => d.startsWith('stores-') && fs.existsSync(path.join(dir, d, 'summary.md'))).sort();
  return found.length ? path.join(dir, found[found.length - 1]) : null;
}

/** Entries of a hot-frames list as "name N%, ...": the first {@code k} (all by default), names as code when {@code code}. */
function shares(entries, k = Infinity, code = false) {
  return (entries || []).slice(0, k).map((e) => `${code ? `\`${cell(e.frame)}\`` : cell(e.frame)} ${e.percent}%`).join(', ');
}

/** The classes whose footprint grew from one class histogram (jcmd GC.class_histogram) to another, largest first. */
function histogramGrowth(beforeFile, afterFile) {
  const parse = (file) => {
    const m = new Map();
    for (const line of fs.readFileSync(file, 'utf8').split('\n')) {
      const x = line.match(/^\s*\d+:\s+(\d+)\s+(\d+)\s+(\S+)/);
      if (x) m.set(x[3], { instances: Number(x[1]), bytes: Number(x[2]) });
    }
    return m;
  };
  const before = parse(beforeFile);
  const after = parse(afterFile);
  return [...after].map(([name, a]) => {
    const b = before.get(name) || { instances: 0, bytes: 0 };
    return { name, instances: a.instances - b.instances, bytes: a.bytes - b.bytes };
  }).filter((g) => g.bytes > 0).sort((x, y) => y.bytes - x.bytes);
}

/** The profile in an earlier run's folder for the variant of {@code file} (VARIANT-nN.hot.json): the same N if there, else any. */
function beforeProfile(beforeDir, file) {
  const folder = path.join(beforeDir, 'profiles');
  if (!fs.existsSync(folder)) return null;
  if (fs.existsSync(path.join(folder, file))) return path.join(folder, file);
  const variant = file.replace(/-n\d+\.hot\.json$/, '');
  const other = fs.readdirSync(folder).filter((f) => f.startsWith(`${variant}-n`) && f.endsWith('.hot.json')).sort()[0];
  return other ? path.join(folder, other) : null;
}

function report(dir) {
  dir = path.resolve(dir);
  // PROFILE_BEFORE: the results folder of an earlier run whose profiles are shown beside this run's
  const beforeDir = process.env.PROFILE_BEFORE ? path.resolve(process.env.PROFILE_BEFORE) : null;
  const machineInfo = fs.existsSync(path.join(dir, 'machine.json')) ? readJson(path.join(dir, 'machine.json')) : {};
  const loadAfter = fs.existsSync(path.join(dir, 'load-after.txt')) ? fs.readFileSync(path.join(dir, 'load-after.txt'), 'utf8').trim() : 'not recorded (run not finished)';
  const runs = fs.readdirSync(path.join(dir, 'runs')).filter((f) => f.endsWith('.json')).map((f) => readJson(path.join(dir, 'runs', f)));
  const fan = runs.filter((r) => r.variant !== 'idle-memory');
  const memory = runs.filter((r) => r.variant === 'idle-memory');
  const ns = [...new Set(fan.map((r) => r.n))].sort((a, b) => a - b);
  const variants = VARIANTS.filter((v) => fan.some((r) => r.variant === v));
  const get = (v, n) => fan.find((r) => r.variant === v && r.n === n);
  const b = (r) => (r && r.driver && r.driver.broadcast) || null;
  const c = (r) => (r && r.driver && r.driver.connect) || null;
  const p50 = (r) => (b(r) ? b(r).p50Ms : null);
  const div = (x, y) => (x != null && y != null && y > 0 ? x / y : null);

  // ---- CSV
  const header = ['variant', 'n', 'status', 'opened', 'connect_failed', 'connect_per_s', 'handshake_p50_ms', 'p50_ms', 'p99_ms',
    'min_ms', 'max_ms', 'first_p50_ms', 'rounds', 'missing', 'incomplete_rounds', 'closed_during', 'p50_over_floor',
    'seed_p50_over_p50', 'seed_parallel_p50_over_p50', 'driver_rss_mib', 'load_before', 'load_after', 'started', 'seconds'];
  const rows = [csvLine(header)];
  for (const n of ns) {
    for (const v of variants) {
      const r = get(v, n);
      if (!r) continue;
      const br = b(r), cr = c(r);
      rows.push(csvLine([v, n, r.status, cr && cr.opened, cr && cr.failed, cr && cr.ratePerSecond, cr && cr.handshakeP50Ms,
        br && br.p50Ms, br && br.p99Ms, br && br.minMs, br && br.maxMs, br && br.firstP50Ms, br && br.rounds, br && br.missing,
        br && br.incompleteRounds, br && Object.entries(br.closedDuring).map(([k, x]) => `${k}: ${x}`).join('; '),
        round(div(p50(r), p50(get('floor', n)))), round(div(p50(get('seed', n)), p50(r))), round(div(p50(get('seed-parallel', n)), p50(r))),
        r.driver && r.driver.driverRssMiB, r.loadBefore, r.loadAfter, r.started, r.seconds]));
    }
  }
  fs.writeFileSync(path.join(dir, 'results.csv'), rows.join('\n') + '\n');
  if (memory.length) {
    const m = [csvLine(['n', 'status', 'opened', 'heap_before_kib', 'heap_after_kib', 'heap_per_connection_kib', 'rss_before_kib', 'rss_after_kib', 'rss_per_connection_kib', 'load_before', 'load_after'])];
    for (const r of memory) {
      const x = r.memory || {};
      m.push(csvLine([r.n, r.status, x.connections, x.heapBeforeKiB, x.heapAfterKiB, x.heapPerConnectionKiB, x.rssBeforeKiB, x.rssAfterKiB, x.rssPerConnectionKiB, r.loadBefore, r.loadAfter]));
    }
    fs.writeFileSync(path.join(dir, 'memory.csv'), m.join('\n') + '\n');
  }

  // ---- charts
  fs.mkdirSync(CHARTS, { recursive: true });
  const charts = [];
  if (ns.length && variants.length) {
    const series = (pick) => variants.map((v) => ({ name: v, points: ns.map((n) => [n, pick(get(v, n))]) }));
    const stamp = (machineInfo.settings || {}).stamp || path.basename(dir).replace(/^fanout-/, '');
    for (const [file, title, pick, yLabel] of [
      ['fanout-p50.svg', `Broadcast to all, p50 (run ${stamp})`, (r) => (b(r) ? b(r).p50Ms : null), 'ms until the last client has the message'],
      ['fanout-p99.svg', `Broadcast to all, p99 (run ${stamp})`, (r) => (b(r) ? b(r).p99Ms : null), 'ms until the last client has the message'],
      ['fanout-connect.svg', `Connect rate (run ${stamp})`, (r) => (c(r) ? c(r).ratePerSecond : null), 'connections opened per second'],
    ]) {
      fs.writeFileSync(path.join(CHARTS, file), lineChart({ title, xLabel: 'N: open connections', yLabel, series: series(pick), xs: ns }));
      charts.push(file);
    }
  }
  const storesDir = newestStores();
  let storesRows = [];
  if (storesDir && fs.existsSync(path.join(storesDir, 'results.csv'))) {
    storesRows = readCsv(path.join(storesDir, 'results.csv'));
    const withTool = storesRows.filter((r) => r.tool);
    if (withTool.length) {
      const groups = withTool.map((r) => ({
        label: `${r.store} ${r.op} ×${r.callers}`,
        bars: [{ name: 'registry (JMH)', value: Number(r.registry_ops_per_s) }, { name: 'server tool', value: Number(r.tool_ops_per_s) }],
      }));
      fs.writeFileSync(path.join(CHARTS, 'stores-vs-tools.svg'), barChart({
        title: `Registry operations per second beside the server's own tool (${path.basename(storesDir)})`,
        yLabel: 'operations per second', groups, names: ['registry (JMH)', 'server tool'], colors: ['#1f77b4', '#bbbbbb'],
      }));
      charts.push('stores-vs-tools.svg');
    }
  }

  // ---- markdown
  const md = [];
  const m = machineInfo;
  md.push('# Benchmarks');
  md.push('');
  md.push(`Generated by \`bash benchmarks/fanout.sh\` from \`${rel(dir)}\`${storesDir ? ` and \`${rel(storesDir)}\`` : ''}; `
    + 'do not edit by hand (`bash benchmarks/fanout.sh report` writes it again). Every ratio below compares figures of one run '
    + 'on one machine: absolute figures describe only that machine.');
  md.push('');
  const partial = partialRun(m.settings || {}, runs);
  if (partial.length) {
    md.push(`> **A partial run** (${partial.join('; ')}): the suite's full run is \`bash benchmarks/fanout.sh\` with its defaults.`);
    md.push('');
  }
  md.push('## The machine');
  md.push('');
  md.push(`- ${m.cores || '?'} cores (${m.cpu || '?'}), ${m.memoryGiB || '?'} GiB; ${m.kernel || ''}`);
  if (m.commit) md.push(`- code: commit ${cell(m.commit)}`);
  md.push(`- ${m.java || 'java ?'}; Node ${m.node || '?'}; \`ws\` ${m.ws || '?'} (the driver); \`@nitric/sdk\` ${m.nitricSdk || '?'}; ${m.redis || ''}; ${m.postgres || ''}`);
  md.push(`- load average (1, 5, 15 min) before the run: ${m.loadBefore || '?'}; after: ${loadAfter}${m.resumed ? ` (resumed ${m.resumed.length} time(s) with RESUME)` : ''}. `
    + 'Each run\'s own load averages are in `results.csv`; the machine is shared with other builds, so read a ratio to about ±20% at best.');
  if (m.settings) {
    const s = m.settings;
    md.push(`- settings: N = ${[...new Set(fan.map((r) => r.n))].sort((x, y) => x - y).join(', ') || s.N}; ${s.ROUNDS} measured rounds after ${s.WARMUP === 'auto' || s.WARMUP == null ? 'enough warm-up rounds for 100,000 sends (at least 3)' : `${s.WARMUP} warm-up rounds`}; a round ends after ${s.ROUND_TIMEOUT_MS === 'auto' ? '60 s or 20 ms per connection, whichever is longer,' : `${s.ROUND_TIMEOUT_MS} ms`} or ${s.QUIET_MS} ms after the last client received it; `
      + `${s.GAP_MS} ms between rounds; idle memory at ${s.MEMORY_N}; --max-connections ${s.MAX_CONNECTIONS} for the floor and the runtime jar`
      + `${s.PROFILE === '1' ? `; JFR profile at N = ${s.PROFILE_N}` : ''}`);
  }
  md.push('');
  md.push('## The commands');
  md.push('');
  md.push('```sh');
  md.push('bash benchmarks/run.sh --stores        # the store benchmarks, then the fan-out suite (without --stores: fan-out only)');
  md.push('bash benchmarks/fanout.sh              # the fan-out suite alone; this page is written at its end');
  md.push('N=1000,5000 VARIANTS=floor,seed,embedded-redis ROUNDS=20 bash benchmarks/fanout.sh   # a part of it');
  md.push('RESUME=benchmarks/results/fanout-<time> bash benchmarks/fanout.sh                   # complete an interrupted run');
  md.push('PROFILE=1 bash benchmarks/fanout.sh    # also a JFR recording of the app during the broadcasts at 10,000');
  md.push('bash benchmarks/stores.sh              # the store benchmarks (JMH beside redis-benchmark and pgbench)');
  md.push('```');
  md.push('');
  md.push('**How fan-out is measured.** A load driver in a process of its own (Node, `ws`, `benchmarks/fanout/driver/driver.js`) opens N '
    + 'connections (200 handshakes in flight at most, from the loopback addresses 127.0.0.2 and up, 200 per address: the gateway '
    + 'takes 256 from one address) and counts connects refused or failed; the connect rate is connections opened per second from the first '
    + 'attempt until every attempt has ended. Then, after the warm-up rounds, each measured round one client (another every round) sends a '
    + 'plain-text frame and the round\'s latency is the time from that send until the **last** of the N clients has received it; a client '
    + 'without it when the round ends (its timeout, or 10 s in which no client received it) counts as missing, and the round then counts '
    + 'with the time it ended. p50 and p99 are nearest-rank over the '
    + 'measured rounds (with 20 rounds p99 is the slowest round). The driver itself handles every one of the N frames on one thread, the '
    + 'same for every variant, so it is part of each figure, the floor\'s too. One variant runs at a time, with fresh processes each, and '
    + 'the driver closes its clients before they are stopped.');
  md.push('');
  md.push('| variant | what runs |');
  md.push('|---|---|');
  for (const v of variants) {
    const kind = v.startsWith('embedded-') ? 'embedded' : v.startsWith('separate-') ? 'separate' : v;
    const sample = fan.filter((r) => r.variant === v).sort((x, y) => x.n - y.n)[0];
    const commands = sample ? sample.commands.filter((line) => !line.startsWith('driver:')).map((line) => `\`${cell(line)}\``).join('<br>') : '';
    md.push(`| ${v} | ${DESCRIPTIONS[kind].replace('STORE', v.replace(/^\w+-/, ''))}${commands ? `<br>${commands}` : ''} |`);
  }
  md.push('');

  // ---- targets
  md.push('## Targets');
  md.push('');
  const targetN = ns.includes(TARGET_N) ? TARGET_N : ns[ns.length - 1];
  if (targetN != null && targetN !== TARGET_N) {
    md.push(`> This run has no N = ${fmt(TARGET_N, 0)}: the fan-out targets below are quoted at N = ${fmt(targetN, 0)}, the largest it has.`);
    md.push('');
  }
  md.push('| target | measured (one run) | met |');
  md.push('|---|---|---|');
  const verdict = (ok) => (ok == null ? 'not measured' : ok ? 'yes' : '**no**');
  for (const store of STORES) {
    const sep = get(`separate-${store}`, targetN);
    const seedRatio = div(p50(get('seed', targetN)), p50(sep));
    const parRatio = div(p50(get('seed-parallel', targetN)), p50(sep));
    md.push(`| separate-${store} at ${shortN(targetN || 0)}: p50 ≥ 8× faster than the seed app, ≥ 2× faster than its parallel variant `
      + `| ${ratio(seedRatio)} the seed, ${ratio(parRatio)} the parallel variant (p50 ${fmt(p50(sep))} ms against ${fmt(p50(get('seed', targetN)))} and ${fmt(p50(get('seed-parallel', targetN)))} ms) `
      + `| ${verdict(seedRatio == null || parRatio == null ? null : seedRatio >= 8 && parRatio >= 2)} |`);
  }
  for (const [store, bound] of [['memory', 1.5], ['redis', 1.5], ['postgres', 2], ['nitric', 2]]) {
    const emb = get(`embedded-${store}`, targetN);
    const over = div(p50(emb), p50(get('floor', targetN)));
    md.push(`| embedded-${store} at ${shortN(targetN || 0)}: p50 within ${bound}× of the floor | ${ratio(over)} (p50 ${fmt(p50(emb))} ms, floor ${fmt(p50(get('floor', targetN)))} ms) | ${verdict(over == null ? null : over <= bound)} |`);
  }
  const held = variants.map((v) => get(v, HOLD_N)).filter(Boolean);
  if (held.length) {
    const ok = held.filter((r) => c(r) && c(r).opened === HOLD_N && c(r).failed === 0 && b(r) && b(r).missing === 0 && b(r).rounds > 0);
    const not = held.filter((r) => !ok.includes(r)).map((r) => `${r.variant} (${c(r) ? `${fmt(c(r).opened, 0)} open, ${fmt(c(r).failed, 0)} refused or failed, ${b(r) ? fmt(b(r).missing, 0) : '?'} missing` : r.status})`);
    md.push(`| 19,000 connections held by one gateway, no failure, a broadcast to all | held by ${ok.map((r) => r.variant).join(', ') || 'none'}${not.length ? `; not by ${not.join(', ')}` : ''} | ${verdict(ok.length > 0)} |`);
  } else {
    md.push('| 19,000 connections held by one gateway, no failure, a broadcast to all | this run has no N = 19,000 | not measured |');
  }
  const mem = memory[0];
  if (mem && mem.memory && mem.memory.heapPerConnectionKiB != null) {
    md.push(`| at most 3 KB (3,000 bytes) of heap per idle connection | ${fmt(mem.memory.heapPerConnectionKiB, 2)} KiB (${fmt(mem.memory.heapPerConnectionKiB * 1024, 0)} bytes) heap, ${fmt(mem.memory.rssPerConnectionKiB, 2)} KiB RSS per connection at ${fmt(mem.memory.connections, 0)} | ${verdict(mem.memory.heapPerConnectionKiB * 1024 <= 3000)} |`);
  } else {
    md.push('| at most 3 KB (3,000 bytes) of heap per idle connection | not in this run | not measured |');
  }
  for (const [store, tool, bound] of [['redis', 'redis-benchmark', 0.7], ['postgres', 'pgbench', 0.8]]) {
    const rowsOf = storesRows.filter((r) => r.store === store && r.tool);
    if (!rowsOf.length) {
      md.push(`| ${store} registry ≥ ${bound}× ${tool} | no store results | not measured |`);
      continue;
    }
    const met = rowsOf.filter((r) => Number(r.ratio) >= bound);
    md.push(`| ${store} registry ≥ ${bound}× ${tool} (every op at 1 and 32 callers) | ${rowsOf.map((r) => `${r.op} ×${r.callers}: ${r.ratio}`).join(', ')} | ${met.length === rowsOf.length ? 'yes' : `**no** (${met.length} of ${rowsOf.length})`} |`);
  }
  md.push('');

  // ---- fan-out tables
  md.push('## Fan-out');
  md.push('');
  md.push('Per N, one row per variant. **failures**: connects refused or failed (by reason) + messages missing after the round timeout. '
    + '**÷ floor**: the variant\'s p50 over the floor\'s (1.0× is the gateway\'s own cost). **seed ÷** and **parallel ÷**: the seed app\'s '
    + '(and its parallel variant\'s) p50 over the variant\'s: how many times faster it is.');
  md.push('');
  for (const n of ns) {
    md.push(`### N = ${fmt(n, 0)}`);
    md.push('');
    md.push('| variant | open | connect/s | p50 ms | p99 ms | failures | ÷ floor | seed ÷ | parallel ÷ | load before → after |');
    md.push('|---|---:|---:|---:|---:|---|---:|---:|---:|---|');
    for (const v of variants) {
      const r = get(v, n);
      if (!r) continue;
      const br = b(r), cr = c(r);
      if (!cr) {
        md.push(`| ${v} | – | – | – | – | ${cell(r.status)} | – | – | – | ${r.loadBefore} → ${r.loadAfter} |`);
        continue;
      }
      const reasons = Object.entries(cr.failures).map(([k, x]) => `${x} ${k}`).join(', ');
      const failures = `${fmt(cr.failed, 0)}${reasons ? ` (${reasons})` : ''} + ${br ? fmt(br.missing, 0) : '?'}${br && br.incompleteRounds ? ` (${br.incompleteRounds} rounds timed out)` : ''}${r.status !== 'ok' ? `; ${cell(r.status)}` : ''}`;
      md.push(`| ${v} | ${fmt(cr.opened, 0)} | ${fmt(cr.ratePerSecond, 0)} | ${br ? fmt(br.p50Ms) : '–'} | ${br ? fmt(br.p99Ms) : '–'} | ${failures} `
        + `| ${ratio(div(p50(r), p50(get('floor', n))))} | ${ratio(div(p50(get('seed', n)), p50(r)))} | ${ratio(div(p50(get('seed-parallel', n)), p50(r)))} | ${r.loadBefore} → ${r.loadAfter} |`);
    }
    md.push('');
  }
  for (const file of charts.filter((f) => f.startsWith('fanout-'))) md.push(`![${file}](benchmarks/${file})`);
  md.push('');

  // ---- memory
  md.push('## Memory per idle connection');
  md.push('');
  if (memory.length) {
    md.push('The embedded chat with the memory store (`java -jar bootstrap/target/nitric-ws.jar --store=memory`): heap used after two '
      + 'full GCs (`jcmd <pid> GC.run`, then `GC.heap_info`) and the process\'s RSS (`/proc/<pid>/status`), before and after the driver opened '
      + 'the idle connections (`driver.js --hold`); per connection = the difference over the connections opened. KiB = 1,024 bytes.');
    md.push('');
    md.push('| connections | heap before → after (KiB) | heap per connection | RSS before → after (KiB) | RSS per connection | status |');
    md.push('|---:|---|---:|---|---:|---|');
    for (const r of memory) {
      const x = r.memory || {};
      md.push(`| ${fmt(x.connections, 0)} | ${fmt(x.heapBeforeKiB, 0)} → ${fmt(x.heapAfterKiB, 0)} | ${fmt(x.heapPerConnectionKiB, 2)} KiB | ${fmt(x.rssBeforeKiB, 0)} → ${fmt(x.rssAfterKiB, 0)} | ${fmt(x.rssPerConnectionKiB, 2)} KiB | ${cell(r.status)} |`);
    }
    for (const r of memory) {
      const n = (r.memory || {}).connections;
      const base = path.join(dir, 'profiles', `idle-memory-n${r.n}`);
      if (!n || !fs.existsSync(`${base}.before.histo`) || !fs.existsSync(`${base}.after.histo`)) continue;
      const grown = histogramGrowth(`${base}.before.histo`, `${base}.after.histo`);
      const total = grown.reduce((t, g) => t + Math.max(0, g.bytes), 0);
      md.push('');
      md.push(`What the heap gained per connection at ${fmt(n, 0)}, by class (\`jcmd <pid> GC.class_histogram\` before and after; `
        + `${fmt(total / n, 0)} bytes per connection in classes that grew; the largest 15):`);
      md.push('');
      md.push('| class | bytes per connection | instances per connection |');
      md.push('|---|---:|---:|');
      for (const g of grown.slice(0, 15)) md.push(`| \`${cell(g.name)}\` | ${fmt(g.bytes / n, 0)} | ${fmt(g.instances / n, 2)} |`);
    }
  } else {
    md.push('Not in this run (variant `idle-memory`).');
  }
  md.push('');

  // ---- profile
  const profiles = fs.existsSync(path.join(dir, 'profiles'))
    ? fs.readdirSync(path.join(dir, 'profiles')).filter((f) => f.endsWith('.hot.json')).sort() : [];
  if (profiles.length) {
    md.push('## Where the app spends its time (JFR)');
    md.push('');
    md.push('A JFR recording (`settings=profile`) of the app process during the measured broadcast rounds, started and stopped with `jcmd`; '
      + 'the execution samples aggregated (`jfr print --events jdk.ExecutionSample`): the top frame of each sample, and the first '
      + 'nitric-ws frame on its stack.');
    md.push('');
    for (const f of profiles) {
      const h = readJson(path.join(dir, 'profiles', f));
      md.push(`### ${f.replace('.hot.json', '')} (${fmt(h.samples, 0)} samples)`);
      md.push('');
      md.push('| top frame | % | | first nitric-ws frame | % |');
      md.push('|---|---:|---|---|---:|');
      for (let i = 0; i < 10; i++) {
        const a = h.topFrames[i], p = h.topProjectFrames[i];
        if (!a && !p) break;
        md.push(`| ${a ? `\`${cell(a.frame)}\`` : ''} | ${a ? a.percent : ''} | | ${p ? `\`${cell(p.frame)}\`` : ''} | ${p ? p.percent : ''} |`);
      }
      md.push('');
      md.push(`Threads: ${shares(h.threads)}.`);
      md.push('');
      const before = beforeDir && beforeProfile(beforeDir, f);
      if (before) {
        const hb = readJson(before);
        const mb = fs.existsSync(path.join(beforeDir, 'machine.json')) ? readJson(path.join(beforeDir, 'machine.json')) : {};
        md.push(`**Before** (${path.basename(before).replace('.hot.json', '')} in \`${rel(beforeDir)}\`${mb.commit ? `, at ${cell(mb.commit)}` : ''}; ${fmt(hb.samples, 0)} samples): `
          + `threads ${shares(hb.threads)}; first nitric-ws frames ${shares(hb.topProjectFrames, 5, true)}.`);
        md.push('');
      }
    }
  }

  // ---- stores
  md.push('## Store benchmarks');
  md.push('');
  if (storesDir) {
    const summary = fs.readFileSync(path.join(storesDir, 'summary.md'), 'utf8').split('\n');
    md.push(`From \`${rel(storesDir)}/summary.md\` (\`bash benchmarks/stores.sh\`; what is measured: [benchmarks/README.md](../benchmarks/README.md)).`);
    md.push('');
    for (const line of summary.slice(1)) md.push(line.startsWith('#') ? `##${line}` : line);
    if (charts.includes('stores-vs-tools.svg')) {
      md.push('');
      md.push('![stores-vs-tools.svg](benchmarks/stores-vs-tools.svg)');
    }
    const storeProfiles = fs.existsSync(path.join(storesDir, 'profiles'))
      ? fs.readdirSync(path.join(storesDir, 'profiles')).filter((f) => f.endsWith('.hot.json')).sort() : [];
    if (storeProfiles.length) {
      md.push('');
      md.push('### Where a registry\'s time goes (JFR)');
      md.push('');
      md.push('A short JMH run of each operation with a JFR recording of the benchmark JVM (`PROFILE=1 bash benchmarks/stores.sh`): '
        + 'the CPU the JVM (the registry and its client library, and the JMH threads calling it) took of the whole machine\'s, '
        + 'whose rest is mostly the server; the libraries the execution samples were in; the threads.');
      md.push('');
      md.push('| operation | JVM CPU / machine CPU | top-frame libraries | threads |');
      md.push('|---|---|---|---|');
      for (const f of storeProfiles) {
        const h = readJson(path.join(storesDir, 'profiles', f));
        const cpu = h.cpu ? `${h.cpu.jvmPercent}% / ${h.cpu.machinePercent}%` : '?';
        md.push(`| ${f.replace('.hot.json', '')} (${fmt(h.samples, 0)} samples) | ${cpu} | ${shares(h.libraries, 4)} | ${shares(h.threads, 4)} |`);
      }
    }
  } else {
    md.push('No `benchmarks/results/stores-*/summary.md` yet: `bash benchmarks/stores.sh` makes one.');
  }
  md.push('');
  const text = md.join('\n').replace(/\n{3,}/g, '\n\n');
  fs.writeFileSync(path.join(DOCS, 'benchmarks.md'), text);
  fs.writeFileSync(path.join(dir, 'summary.md'), text.replace(/!\[([^\]]*)\]\(benchmarks\//g, '![$1](../../../docs/benchmarks/').replace(/\(\.\.\/benchmarks\/README\.md\)/g, '(../../README.md)'));
  process.stdout.write(`report: ${rel(path.join(DOCS, 'benchmarks.md'))}, ${charts.length} charts in ${rel(CHARTS)}, ${rel(path.join(dir, 'results.csv'))}\n`);
}

/**
 * How a run falls short of the suite's defaults, judged by the runs it holds (a run resumed with
 * other N or variants holds the union): N missing, variants missing at some N, fewer rounds.
 */
function partialRun(s, runs) {
  const short = [];
  const fan = runs.filter((r) => r.variant !== 'idle-memory');
  const ns = [1000, 5000, 10000, 19000];
  const missingN = ns.filter((n) => !fan.some((r) => r.n === n));
  if (missingN.length) short.push(`no N = ${missingN.join(', ')}`);
  for (const n of ns.filter((x) => !missingN.includes(x))) {
    const without = VARIANTS.filter((v) => !fan.some((r) => r.variant === v && r.n === n));
    if (without.length) short.push(`at ${n}: without ${without.join(', ')}`);
  }
  if (Number(s.ROUNDS) < 20) short.push(`${s.ROUNDS} rounds`);
  const memory = runs.filter((r) => r.variant === 'idle-memory');
  if (!memory.length) short.push('without idle-memory');
  else if (!memory.some((r) => r.n === 10000)) short.push(`idle memory at ${memory.map((r) => r.n).join(', ')}`);
  return short;
}

function round(x) {
  return x == null ? null : Math.round(x * 1000) / 1000;
}

// ------------------------------------------------------------------------------------ main

async function main() {
  const [command, ...rest] = process.argv.slice(2);
  switch (command) {
    case 'machine':
      if (rest.length !== 1) fail('usage: report.js machine OUT.json');
      return machine(rest[0]);
    case 'record':
      if (rest.length < 1) fail('usage: report.js record OUT.json --variant V --n N --status S ...');
      return record(rest[0], rest.slice(1));
    case 'hot':
      if (rest.length !== 2) fail('usage: report.js hot RECORDING.jfr OUT.json');
      return hot(rest[0], rest[1]);
    case 'report':
      if (rest.length !== 1) fail('usage: report.js report RESULTS_DIR');
      return report(rest[0]);
    default:
      fail(`unknown command '${command || ''}'; known: machine, record, hot, report`);
  }
}

main().catch((error) => {
  process.stderr.write(`report: ${error.stack || error}\n`);
  process.exit(1);
});
