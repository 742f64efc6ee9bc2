// The seed's broadcast chat (it-tests/src/test/node/chat-app, the official Nitric Node SDK
// @nitric/sdk 1.2.2) with one change for the fan-out benchmark's parallel variant: the message
// handler starts every send at once and waits for all of them (Promise.all), instead of one
// `await socket.send` per key. Connect and disconnect are the seed's.
const { websocket, kv } = require('@nitric/sdk');

const socket = websocket('chat');
const connections = kv('connections').allow('get', 'set', 'delete');

socket.on('connect', async (ctx) => {
  await connections.set(ctx.req.connectionId, { connectedAt: Date.now() });
  return ctx;
});

socket.on('disconnect', async (ctx) => {
  await connections.delete(ctx.req.connectionId);
  return ctx;
});

socket.on('message', async (ctx) => {
  const message = ctx.req.text();
  const sends = [];
  for await (const connectionId of connections.keys()) {
    sends.push(socket.send(connectionId, message));
  }
  await Promise.all(sends);
  return ctx;
});
