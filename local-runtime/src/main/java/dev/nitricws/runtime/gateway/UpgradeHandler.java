package dev.nitricws.runtime.gateway;

import dev.nitricws.proto.websockets.v1.WebsocketConnectionEvent;
import dev.nitricws.proto.websockets.v1.WebsocketConnectionResponse;
import dev.nitricws.proto.websockets.v1.WebsocketEventRequest;
import dev.nitricws.proto.websockets.v1.WebsocketEventResponse;
import dev.nitricws.proto.websockets.v1.WebsocketEventType;
import dev.nitricws.runtime.gateway.UpgradeRequests.Refusal;
import dev.nitricws.runtime.handlers.EventDispatcher;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.QueryStringDecoder;
import io.netty.handler.codec.http.websocketx.WebSocketDecoderConfig;
import io.netty.handler.codec.http.websocketx.WebSocketFrameAggregator;
import io.netty.handler.codec.http.websocketx.WebSocketServerHandshaker;
import io.netty.handler.codec.http.websocketx.WebSocketServerHandshakerFactory;
import io.netty.util.ReferenceCountUtil;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.RejectedExecutionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The HTTP side of a gateway connection: serves the static page at {@code /} and turns a valid
 * websocket upgrade request (on any path) into a Connect event. Before that, a request is
 * refused with an HTTP error when it is malformed or not a valid upgrade ({@link UpgradeRequests}),
 * when its connection is over a cap ({@link ConnectionLimits}) or when its Origin is not allowed
 * ({@link OriginPolicy}). The upgrade completes only after the application accepts; a reject
 * answers the app's status and reason when it gave them ({@link AppRejection}), else, like an
 * error or a timeout, HTTP 500 "Connection Refused" as the reference runtime does; no connect
 * handler answers HTTP 503 "no handler" unless the settings accept without one. Event-loop
 * confined; one instance per channel.
 */
final class UpgradeHandler extends ChannelInboundHandlerAdapter {

  private static final Logger LOG = LoggerFactory.getLogger(UpgradeHandler.class);

  private final SocketEndpoint endpoint;
  private final EventDispatcher dispatcher;
  private final GatewaySettings settings;
  private final WebSocketDecoderConfig decoderConfig;
  /** Why this connection is refused whatever it asks (over a connection cap), or null. */
  private final Refusal overLimit;
  private boolean upgrading;

  UpgradeHandler(
      SocketEndpoint endpoint,
      EventDispatcher dispatcher,
      GatewaySettings settings,
      WebSocketDecoderConfig decoderConfig,
      Refusal overLimit) {
    this.endpoint = endpoint;
    this.dispatcher = dispatcher;
    this.settings = settings;
    this.decoderConfig = decoderConfig;
    this.overLimit = overLimit;
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    if (!(msg instanceof FullHttpRequest request) || upgrading) {
      ReferenceCountUtil.release(msg);
      return;
    }
    RequestTimeoutHandler.requestReceived(ctx.pipeline());
    boolean handedOn = false;
    try {
      Refusal refusal = refusal(request);
      if (refusal != null) {
        LOG.info("{} {} from {} on socket '{}' answered {}: {}", request.method(), path(request),
            ctx.channel().remoteAddress(), endpoint.name(), refusal.status().code(), refusal.reason());
        answer(ctx.channel(), refusal);
      } else if (!UpgradeRequests.asksForWebsocket(request)) {
        serveHttp(ctx, request);
      } else {
        WebsocketConnectionEvent event = UpgradeRequests.connectionEvent(request);
        handedOn = true;
        upgrade(ctx, request, event);
      }
    } catch (IllegalArgumentException malformedQuery) {
      LOG.info("Upgrade of {} from {} on socket '{}' answered 400: malformed query", path(request),
          ctx.channel().remoteAddress(), endpoint.name());
      HttpAnswers.text(ctx.channel(), HttpResponseStatus.BAD_REQUEST, "malformed query");
    } finally {
      if (!handedOn) {
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

  /** Why this request gets an HTTP error instead of a page or a Connect event; null if it does not. */
  private Refusal refusal(FullHttpRequest request) {
    if (!request.decoderResult().isSuccess()) {
      return new Refusal(HttpResponseStatus.BAD_REQUEST, "malformed request");
    }
    if (overLimit != null) {
      return overLimit;
    }
    if (!UpgradeRequests.asksForWebsocket(request)) {
      return null;
    }
    Refusal invalid = UpgradeRequests.check(request);
    if (invalid != null) {
      return invalid;
    }
    if (!settings.allowedOrigins().allows(request.headers().get(HttpHeaderNames.ORIGIN))) {
      return UpgradeRequests.ORIGIN_NOT_ALLOWED;
    }
    return null;
  }

  /** The request's path, without the query: a query may carry a credential, which is never logged. */
  private static String path(FullHttpRequest request) {
    return new QueryStringDecoder(request.uri()).rawPath();
  }

  private static void answer(Channel channel, Refusal refusal) {
    if (refusal.status().equals(HttpResponseStatus.UPGRADE_REQUIRED)) {
      HttpAnswers.unsupportedVersion(channel, refusal.reason());
    } else {
      HttpAnswers.text(channel, refusal.status(), refusal.reason());
    }
  }

  private void serveHttp(ChannelHandlerContext ctx, FullHttpRequest request) {
    byte[] page = settings.staticPage();
    if (page != null && new QueryStringDecoder(request.uri()).rawPath().equals("/")
        && request.method().equals(HttpMethod.GET)) {
      HttpAnswers.ok(ctx.channel(), "text/html; charset=UTF-8", page);
    } else {
      LOG.debug("{} {} from {} on socket '{}' answered 400: not a websocket upgrade", request.method(),
          path(request), ctx.channel().remoteAddress(), endpoint.name());
      HttpAnswers.text(ctx.channel(), HttpResponseStatus.BAD_REQUEST, "not a websocket upgrade");
    }
  }

  /** Takes ownership of {@code request}, a valid websocket upgrade. */
  private void upgrade(ChannelHandlerContext ctx, FullHttpRequest request, WebsocketConnectionEvent connectionEvent) {
    upgrading = true;
    Channel channel = ctx.channel();
    channel.config().setAutoRead(false);
    String location = settings.scheme() + "://" + request.headers().get(HttpHeaderNames.HOST, "localhost")
        + request.uri();
    WebSocketServerHandshaker handshaker =
        new WebSocketServerHandshakerFactory(location, null, decoderConfig).newHandshaker(request);
    String connectionId = UUID.randomUUID().toString();
    ClientConnection connection = new ClientConnection(endpoint, connectionId, channel, dispatcher, settings);
    // sendable from the Connect event on: the app may send to it before it answers
    endpoint.opening(connection);
    WebsocketEventRequest event = WebsocketEventRequest.newBuilder()
        .setSocketName(endpoint.name())
        .setConnectionId(connectionId)
        .setConnection(connectionEvent)
        .build();
    LOG.debug("Connect {} to socket '{}' from {}", connectionId, endpoint.name(), channel.remoteAddress());
    dispatcher.dispatch(WebsocketEventType.Connect, event).whenComplete((answer, error) -> {
      try {
        channel.eventLoop().execute(() -> connectAnswered(ctx, handshaker, request, connection, answer, error));
      } catch (RejectedExecutionException shuttingDown) {
        request.release();
        connection.neverOpened();
      }
    });
  }

  private void connectAnswered(
      ChannelHandlerContext ctx,
      WebSocketServerHandshaker handshaker,
      FullHttpRequest request,
      ClientConnection connection,
      Optional<WebsocketEventResponse> answer,
      Throwable error) {
    Channel channel = ctx.channel();
    String connectionId = connection.id();
    boolean handshaking = false;
    try {
      if (error != null) {
        LOG.warn("Connect {} to socket '{}' refused: {}", connectionId, endpoint.name(),
            ClientConnection.describe(error));
        refuse(channel);
        return;
      }
      if (answer.isEmpty() && !settings.acceptWithoutHandler()) {
        LOG.info("Connect {} to socket '{}' refused with 503: no connect handler is registered",
            connectionId, endpoint.name());
        HttpAnswers.text(channel, HttpResponseStatus.SERVICE_UNAVAILABLE, "no handler");
        return;
      }
      if (answer.isEmpty()) {
        LOG.debug("No connect handler for socket '{}'; accepting {}", endpoint.name(), connectionId);
      } else if (answer.get().getConnectionResponse().getReject()) {
        rejected(channel, connectionId, answer.get().getConnectionResponse());
        return;
      }
      if (!channel.isActive()) {
        LOG.debug("Client {} went away before its upgrade", connectionId);
        lostAfterAccept(answer, connectionId);
        return;
      }
      ChannelFuture handshake;
      try {
        handshake = handshaker.handshake(channel, request);
      } catch (RuntimeException e) {
        LOG.info("Upgrade of {} on socket '{}' failed: {}", connectionId, endpoint.name(), e.getMessage());
        HttpAnswers.text(channel, HttpResponseStatus.BAD_REQUEST, "websocket handshake failed");
        lostAfterAccept(answer, connectionId);
        return;
      }
      handshaking = true;
      handshake.addListener((ChannelFuture done) -> {
        if (done.isSuccess() && channel.isActive()) {
          installFrameHandlers(channel.pipeline(), connection);
          connection.opened();
        } else {
          LOG.debug("Upgrade of {} on socket '{}' failed: {}", connectionId, endpoint.name(),
              done.cause() == null ? "client went away" : done.cause().toString());
          connection.neverOpened();
          channel.close();
          lostAfterAccept(answer, connectionId);
        }
      });
    } finally {
      request.release();
      if (!handshaking) {
        connection.neverOpened();
      }
    }
  }

  private void installFrameHandlers(ChannelPipeline pipeline, ClientConnection connection) {
    pipeline.remove(this);
    pipeline.addLast("ws-aggregator", new WebSocketFrameAggregator(settings.maxMessageSize()));
    pipeline.addLast("ws-liveness", new ConnectionLiveness(settings.idleTimeout(), settings.pingInterval()));
    pipeline.addLast("ws-connection", connection);
  }

  /** The application accepted a connection that then never opened: tell it, so its view stays right. */
  private void lostAfterAccept(Optional<WebsocketEventResponse> answer, String connectionId) {
    if (answer.isPresent()) {
      ClientConnection.sendDisconnect(dispatcher, endpoint.name(), connectionId);
    }
  }

  /** Answers a connect the application rejected with its status and reason, when it gave them. */
  private void rejected(Channel channel, String connectionId, WebsocketConnectionResponse response) {
    Refusal refusal = AppRejection.of(response);
    int asked = response.getRejectStatus();
    if (asked != 0 && !AppRejection.usable(asked)) {
      LOG.warn("Connect {} to socket '{}' rejected by the application with status {}, which is not 4xx or 5xx; "
          + "answered {}", connectionId, endpoint.name(), asked, refusal.status().code());
    } else {
      LOG.debug("Connect {} to socket '{}' rejected by the application: answered {}", connectionId, endpoint.name(),
          refusal.status().code());
    }
    HttpAnswers.text(channel, refusal.status(), refusal.reason());
  }

  private static void refuse(Channel channel) {
    HttpAnswers.text(channel, AppRejection.DEFAULT.status(), AppRejection.DEFAULT.reason());
  }
}
