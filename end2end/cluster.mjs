// Two replicas of the server sharing one PostgreSQL database and a Redis of their own, for the
// journeys that cross replicas and restart their parts. Everything runs on ports of its own and
// is removed afterwards, even when a journey fails: the database is dropped, the Redis server
// (and its append-only file) goes, the replicas stop. The machine's own PostgreSQL only gains
// and loses one database; its Redis is never touched.
//
// Replica A reaches Redis through a small TCP proxy of this file's, so a journey can cut A off
// from Redis (and only A) while things happen through B.
import { spawn, execFileSync } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';

const root = path.resolve(import.meta.dirname, '..');
const targetDir = process.env.CARGO_TARGET_DIR ?? path.join(root, 'target');
const serverBin = process.env.FOODBRIDGE_SERVER_BIN ?? path.join(targetDir, 'debug', 'server');
const adminUrl = process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

/** A port nobody is listening on right now. */
async function freePort() {
  const server = net.createServer();
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address();
  await new Promise((resolve) => server.close(resolve));
  return port;
}

function psql(sql) {
  execFileSync('psql', [adminUrl, '-v', 'ON_ERROR_STOP=1', '-qc', sql], { stdio: 'pipe' });
}

/** Polls `url` until it answers 200, or fails after `ms`. */
async function until200(url, ms = 30_000, what = url) {
  const deadline = Date.now() + ms;
  for (;;) {
    try {
      if ((await fetch(url)).ok) return;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) throw new Error(`${what} did not come up within ${ms} ms`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** Resolves once `child` has exited (at once if it already has). */
function exited(child) {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => child.once('exit', resolve));
}

/** A TCP proxy to `target` on `port`, which can be cut (every connection dropped, nothing
 * accepted) and healed. */
class Proxy {
  constructor(port, target) {
    this.port = port;
    this.target = target;
    this.sockets = new Set();
    this.server = null;
  }

  async heal() {
    this.server = net.createServer((client) => {
      const upstream = net.connect(this.target, '127.0.0.1');
      for (const s of [client, upstream]) {
        this.sockets.add(s);
        s.on('close', () => this.sockets.delete(s));
        s.on('error', () => {
          client.destroy();
          upstream.destroy();
        });
      }
      client.pipe(upstream).pipe(client);
    });
    await new Promise((resolve) => this.server.listen(this.port, '127.0.0.1', resolve));
  }

  async cut() {
    const closed = new Promise((resolve) => this.server.close(resolve));
    for (const s of this.sockets) s.destroy();
    await closed;
  }
}

/** Every process this file started, stopped if the test runner exits without cleaning up. */
const running = new Set();
process.on('exit', () => {
  for (const child of running) child.kill('SIGKILL');
});

export class Cluster {
  static async start() {
    const cluster = new Cluster();
    try {
      await cluster.#start();
    } catch (e) {
      await cluster.stop();
      throw e;
    }
    return cluster;
  }

  async #start() {
    this.dir = fs.mkdtempSync(path.join(os.tmpdir(), 'foodbridge-cluster-'));
    this.mailDir = path.join(this.dir, 'mail');
    this.database = `foodbridge_e2e_${process.pid}_${Date.now()}`;
    psql(`CREATE DATABASE ${this.database}`);
    this.databaseCreated = true;
    this.redisPort = await freePort();
    await this.startRedis();
    this.proxy = new Proxy(await freePort(), this.redisPort);
    await this.proxy.heal();
    const databaseUrl = new URL(adminUrl);
    databaseUrl.pathname = `/${this.database}`;
    this.replicas = {};
    for (const [name, redisPort] of [
      ['a', this.proxy.port],
      ['b', this.redisPort],
    ]) {
      const port = await freePort();
      this.replicas[name] = {
        port,
        url: `http://127.0.0.1:${port}`,
        env: {
          ...process.env,
          DATABASE_URL: databaseUrl.toString(),
          REDIS_URL: `redis://127.0.0.1:${redisPort}`,
          REDIS_KEY_PREFIX: `${this.database}:`,
          LISTEN_ADDR: `127.0.0.1:${port}`,
          LEPTOS_SITE_ROOT: path.join(root, 'target', 'site'),
          MAIL_DIR: this.mailDir,
          RUST_LOG: process.env.CLUSTER_LOG ?? 'warn',
        },
      };
      // One after the other: the first applies the migrations.
      await this.startReplica(name);
    }
  }

  /** Replica `name`'s address (`a` or `b`). */
  url(name) {
    return this.replicas[name].url;
  }

  async startRedis() {
    this.redis = spawn(
      'redis-server',
      ['--port', String(this.redisPort), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'yes', '--dir', this.dir],
      { stdio: 'ignore' },
    );
    running.add(this.redis);
    const deadline = Date.now() + 10_000;
    for (;;) {
      const up = await new Promise((resolve) => {
        const s = net.connect(this.redisPort, '127.0.0.1', () => {
          s.end();
          resolve(true);
        });
        s.on('error', () => resolve(false));
      });
      if (up) return;
      if (this.redis.exitCode !== null || Date.now() > deadline) throw new Error('redis-server did not start');
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  async stopRedis() {
    if (!this.redis) return;
    this.redis.kill('SIGTERM');
    await exited(this.redis);
    running.delete(this.redis);
    this.redis = null;
  }

  async startReplica(name) {
    const replica = this.replicas[name];
    // CLUSTER_LOG_DIR: each replica's log goes to `{dir}/{name}.log` (with CLUSTER_LOG, say
    // `warn,server::live=debug`), to see what a failed journey's replicas did.
    const log = process.env.CLUSTER_LOG_DIR
      ? fs.openSync(path.join(process.env.CLUSTER_LOG_DIR, `${name}.log`), 'a')
      : 'inherit';
    const child = spawn(serverBin, [], { cwd: root, env: replica.env, stdio: ['ignore', log, log] });
    if (typeof log === 'number') fs.closeSync(log);
    running.add(child);
    replica.child = child;
    await until200(`${replica.url}/readyz`, 60_000, `replica ${name}`);
  }

  /** SIGTERM, as an orchestrator stops a replica; resolves once it has exited. */
  async stopReplica(name) {
    const { child } = this.replicas[name];
    if (!child) return;
    child.kill('SIGTERM');
    await exited(child);
    running.delete(child);
    this.replicas[name].child = null;
  }

  /** Cuts replica A off from Redis (B keeps it). */
  cutA() {
    return this.proxy.cut();
  }

  healA() {
    return this.proxy.heal();
  }

  async stop() {
    for (const name of Object.keys(this.replicas ?? {})) await this.stopReplica(name);
    if (this.proxy?.server?.listening) await this.proxy.cut();
    await this.stopRedis();
    if (this.databaseCreated) psql(`DROP DATABASE IF EXISTS ${this.database} WITH (FORCE)`);
    if (this.dir) fs.rmSync(this.dir, { recursive: true, force: true });
  }
}
