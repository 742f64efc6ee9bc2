// The seed's broadcast chat, written against the official Nitric Node SDK (@nitric/sdk 1.2.2)
// and nothing else: NodeSdkCompatibilityIT runs it unchanged against nitric-ws's local runtime.
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
  for await (const connectionId of connections.keys()) {
    await socket.send(connectionId, message);
  }
  return ctx;
});
