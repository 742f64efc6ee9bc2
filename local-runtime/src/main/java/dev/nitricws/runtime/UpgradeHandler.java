package dev.nitricws.runtime;

import dev.nitricws.proto.websockets.v1.QueryValue;
import dev.nitricws.proto.websockets.v1.WebsocketConnectionEvent;
import dev.nitricws.proto.websockets.v1.WebsocketEventRequest;
import dev.nitricws.proto.websockets.v1.WebsocketEventResponse;
import dev.nitricws.proto.websockets.v1.WebsocketEventType;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.QueryStringDecoder;
import io.netty.handler.codec.http.websocketx.WebSocketDecoderConfig;
import io.netty.handler.codec.http.websocketx.WebSocketFrameAggregator;
import io.netty.handler.codec.http.websocketx.WebSocketServerHandshaker;
import io.netty.handler.codec.http.websocketx.WebSocketServerHandshakerFactory;
import io.netty.util.ReferenceCountUtil;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.RejectedExecutionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The HTTP side of a gateway connection: serves the static page at {@code /} and turns a
 * websocket upgrade request (on any path) into a Connect event. The upgrade completes only after
 * the application accepts; a reject, an error or a timeout answers HTTP 500 "Connection Refused"
 * like the reference runtime. Event-loop confined; one instance per channel.
 */
final class UpgradeHandler extends ChannelInboundHandlerAdapter {

  private static final Logger LOG = LoggerFactory.getLogger(UpgradeHandler.class);
  private static final byte[] REFUSED = "Connection Refused".getBytes(StandardCharsets.US_ASCII);
  private static final byte[] NOT_FOUND = "Not Found".getBytes(StandardCharsets.US_ASCII);
  private static final byte[] BAD_REQUEST = "Bad Request".getBytes(StandardCharsets.US_ASCII);

  private final SocketEndpoint endpoint;
  private final EventDispatcher dispatcher;
  private final GatewaySettings settings;
  private final WebSocketDecoderConfig decoderConfig;
  private boolean upgrading;

  UpgradeHandler(
      SocketEndpoint endpoint,
      EventDispatcher dispatcher,
      GatewaySettings settings,
      WebSocketDecoderConfig decoderConfig) {
    this.endpoint = endpoint;
    this.dispatcher = dispatcher;
    this.settings = settings;
    this.decoderConfig = decoderConfig;
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    if (!(msg instanceof FullHttpRequest request) || upgrading) {
      ReferenceCountUtil.release(msg);
      return;
    }
    if (!request.decoderResult().isSuccess()) {
      request.release();
      respond(ctx.channel(), HttpResponseStatus.BAD_REQUEST, "text/plain; charset=UTF-8", BAD_REQUEST);
      return;
    }
    if (isWebsocketUpgrade(request)) {
      upgrade(ctx, request);
    } else {
      try {
        serveHttp(ctx, request);
      } finally {
        request.release();
      }
    }
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    LOG.debug("HTTP connection {} on socket '{}' failed: {}", ctx.channel().remoteAddress(),
        endpoint.name(), cause.toString());
    ctx.close();
  }

  private static boolean isWebsocketUpgrade(FullHttpRequest request) {
    return request.headers().containsValue(HttpHeaderNames.UPGRADE, HttpHeaderValues.WEBSOCKET, true);
  }

  private void serveHttp(ChannelHandlerContext ctx, FullHttpRequest request) {
    String path = new QueryStringDecoder(request.uri()).path();
    byte[] page = settings.staticPage();
    if (page != null && path.equals("/") && request.method().equals(HttpMethod.GET)) {
      respond(ctx.channel(), HttpResponseStatus.OK, "text/html; charset=UTF-8", page);
    } else {
      respond(ctx.channel(), HttpResponseStatus.NOT_FOUND, "text/plain; charset=UTF-8", NOT_FOUND);
    }
  }

  /** Takes ownership of {@code request}. */
  private void upgrade(ChannelHandlerContext ctx, FullHttpRequest request) {
    upgrading = true;
    Channel channel = ctx.channel();
    channel.config().setAutoRead(false);
    String location = "ws://" + request.headers().get(HttpHeaderNames.HOST, "localhost") + request.uri();
    WebSocketServerHandshaker handshaker =
        new WebSocketServerHandshakerFactory(location, null, decoderConfig).newHandshaker(request);
    if (handshaker == null) {
      request.release();
      WebSocketServerHandshakerFactory.sendUnsupportedVersionResponse(channel)
          .addListener(ChannelFutureListener.CLOSE);
      return;
    }
    String connectionId = UUID.randomUUID().toString();
    WebsocketEventRequest event = WebsocketEventRequest.newBuilder()
        .setSocketName(endpoint.name())
        .setConnectionId(connectionId)
        .setConnection(connectionEvent(request.uri()))
        .build();
    LOG.debug("Connect {} to socket '{}' from {}", connectionId, endpoint.name(), channel.remoteAddress());
    dispatcher.dispatch(WebsocketEventType.Connect, event).whenComplete((answer, error) -> {
      try {
        channel.eventLoop().execute(() -> connectAnswered(ctx, handshaker, request, connectionId, answer, error));
      } catch (RejectedExecutionException shuttingDown) {
        request.release();
      }
    });
  }

  private static WebsocketConnectionEvent connectionEvent(String uri) {
    WebsocketConnectionEvent.Builder connection = WebsocketConnectionEvent.newBuilder();
    for (Map.Entry<String, List<String>> param : new QueryStringDecoder(uri).parameters().entrySet()) {
      connection.putQueryParams(param.getKey(), QueryValue.newBuilder().addAllValue(param.getValue()).build());
    }
    return connection.build();
  }

  private void connectAnswered(
      ChannelHandlerContext ctx,
      WebSocketServerHandshaker handshaker,
      FullHttpRequest request,
      String connectionId,
      Optional<WebsocketEventResponse> answer,
      Throwable error) {
    Channel channel = ctx.channel();
    try {
      if (error != null) {
        LOG.warn("Connect {} to socket '{}' refused: {}", connectionId, endpoint.name(),
            ClientConnection.describe(error));
        refuse(channel);
        return;
      }
      if (answer.isEmpty()) {
        // a Nitric app has a connect handler; without one registered right now (the app has not
        // registered it yet, or again after a restart) nobody could track the connection
        LOG.debug("No connect handler for socket '{}'; refusing {}", endpoint.name(), connectionId);
        refuse(channel);
        return;
      }
      if (answer.get().getConnectionResponse().getReject()) {
        LOG.debug("Connect {} to socket '{}' rejected by the application", connectionId, endpoint.name());
        refuse(channel);
        return;
      }
      if (!channel.isActive()) {
        LOG.debug("Client {} went away before its upgrade", connectionId);
        lostAfterAccept(answer, connectionId);
        return;
      }
      ClientConnection connection =
          new ClientConnection(endpoint, connectionId, channel, dispatcher, settings.maxMessageSize());
      ChannelFuture handshake;
      try {
        handshake = handshaker.handshake(channel, request);
      } catch (RuntimeException e) {
        LOG.info("Upgrade of {} on socket '{}' failed: {}", connectionId, endpoint.name(), e.getMessage());
        respond(channel, HttpResponseStatus.BAD_REQUEST, "text/plain; charset=UTF-8", BAD_REQUEST);
        lostAfterAccept(answer, connectionId);
        return;
      }
      handshake.addListener((ChannelFuture done) -> {
        if (done.isSuccess() && channel.isActive()) {
          installFrameHandlers(channel.pipeline(), connection);
          connection.opened();
        } else {
          LOG.debug("Upgrade of {} on socket '{}' failed: {}", connectionId, endpoint.name(),
              done.cause() == null ? "client went away" : done.cause().toString());
          channel.close();
          lostAfterAccept(answer, connectionId);
        }
      });
    } finally {
      request.release();
    }
  }

  private void installFrameHandlers(ChannelPipeline pipeline, ClientConnection connection) {
    pipeline.remove(this);
    pipeline.addLast("ws-aggregator", new WebSocketFrameAggregator(settings.maxMessageSize()));
    pipeline.addLast("ws-control", ControlFrameHandler.INSTANCE);
    if (!settings.pingInterval().isZero()) {
      pipeline.addLast("ws-keepalive", new KeepAliveHandler(settings.pingInterval()));
    }
    pipeline.addLast("ws-idle", new IdleTimeoutHandler(settings.idleTimeout()));
    pipeline.addLast("ws-connection", connection);
  }

  /** The application accepted a connection that then never opened: tell it, so its view stays right. */
  private void lostAfterAccept(Optional<WebsocketEventResponse> answer, String connectionId) {
    if (answer.isPresent()) {
      ClientConnection.sendDisconnect(dispatcher, endpoint.name(), connectionId);
    }
  }

  private static void refuse(Channel channel) {
    respond(channel, HttpResponseStatus.INTERNAL_SERVER_ERROR, "text/plain; charset=UTF-8", REFUSED);
  }

  private static void respond(Channel channel, HttpResponseStatus status, String contentType, byte[] body) {
    ByteBuf content = Unpooled.wrappedBuffer(body);
    FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, status, content);
    response.headers()
        .set(HttpHeaderNames.CONTENT_TYPE, contentType)
        .setInt(HttpHeaderNames.CONTENT_LENGTH, body.length)
        .set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
    channel.writeAndFlush(response).addListener(ChannelFutureListener.CLOSE);
  }
}
