package dev.nitricws.adapters.nitric.events;

import static dev.nitricws.adapters.nitric.events.FakeEventRuntime.connect;
import static dev.nitricws.adapters.nitric.events.FakeEventRuntime.disconnect;
import static dev.nitricws.adapters.nitric.events.FakeEventRuntime.message;
import static dev.nitricws.proto.websockets.v1.WebsocketEventType.Connect;
import static dev.nitricws.proto.websockets.v1.WebsocketEventType.Disconnect;
import static dev.nitricws.proto.websockets.v1.WebsocketEventType.Message;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.nitricws.adapters.memory.InMemoryConnectionRegistry;
import dev.nitricws.adapters.nitric.InProcessGrpc;
import dev.nitricws.adapters.nitric.NitricCallException;
import dev.nitricws.domain.ConnectionId;
import dev.nitricws.domain.SocketName;
import dev.nitricws.ports.EventAnswer;
import dev.nitricws.ports.SocketHandler;
import dev.nitricws.ports.WebsocketApp;
import dev.nitricws.proto.websockets.v1.ClientMessage;
import dev.nitricws.proto.websockets.v1.WebsocketConnectionResponse;
import dev.nitricws.proto.websockets.v1.WebsocketEventRequest;
import dev.nitricws.proto.websockets.v1.WebsocketEventType;
import io.grpc.Status;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

@Timeout(value = 60, unit = TimeUnit.SECONDS)
class NitricEventSourceTest {

  private static final Duration WAIT = Duration.ofSeconds(15);

  private final List<NitricEventSource> sources = new ArrayList<>();
  private final List<WebsocketApp> apps = new ArrayList<>();
  private FakeEventRuntime runtime = new FakeEventRuntime();
  @RegisterExtension
  final InProcessGrpc grpc = new InProcessGrpc("nitric-events", runtime);

  @AfterEach
  void stopEverything() {
    sources.forEach(NitricEventSource::close);
    apps.forEach(WebsocketApp::close);
  }

  // ---------------------------------------------------------------- registration

  @Test
  void registersOneStreamPerSocketAndEventTypeWithTheRegistrationFirst() {
    NitricEventSource source = started(new TestEvents("chat", "news"));

    assertThat(runtime.registrations).containsExactlyInAnyOrder(
        key("chat", Connect), key("chat", Disconnect), key("chat", Message),
        key("news", Connect), key("news", Disconnect), key("news", Message));
    assertThat(runtime.firstMessages).hasSize(6).allSatisfy(m -> {
      assertThat(m.hasRegistrationRequest()).isTrue();
      assertThat(m.getId()).isEmpty();
    });
    assertThat(source.isRegistered()).isTrue();
    assertThat(source.registrations()).isEqualTo(6);
  }

  @Test
  void startCompletesOnlyWhenEveryStreamIsRegistered() {
    runtime.holdRegistrations();
    NitricEventSource source = source(new TestEvents("chat"));

    CompletableFuture<Void> started = source.start().toCompletableFuture();

    await().atMost(WAIT).until(() -> runtime.firstMessages.size() == 3);
    await().during(Duration.ofMillis(200)).atMost(WAIT).until(() -> !started.isDone());
    assertThat(source.isRegistered()).isFalse();
    runtime.releaseRegistrations();
    assertThat(started).succeedsWithin(WAIT);
    assertThat(source.start().toCompletableFuture()).isDone();
  }

  @Test
  void anAppWithoutSocketsIsRefused() {
    assertThatThrownBy(() -> NitricEventSource.create(grpc.channel(), new TestEvents()))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("no socket");
  }

  // ---------------------------------------------------------------- answers

  @Test
  void acceptedConnectIsAnsweredWithRejectFalseAndTheConnectionRegistered() {
    InMemoryConnectionRegistry registry = new InMemoryConnectionRegistry();
    AtomicReference<List<String>> tags = new AtomicReference<>();
    started(app(registry, SocketHandler.builder()
        .onConnect(c -> {
          tags.set(c.query().all("tag"));
          c.attribute("user", c.query().first("user").orElseThrow());
        })
        .build()));

    runtime.send("chat", Connect, connect("r1", "chat", "c1", Map.of("tag", List.of("b", "a", "b"), "user", List.of("ada"))));

    ClientMessage answer = awaitAnswer("r1");
    assertThat(answer.getWebsocketEventResponse().getConnectionResponse().getReject()).isFalse();
    assertThat(tags.get()).containsExactly("b", "a", "b");
    assertThat(registry.find(SocketName.of("chat"), ConnectionId.of("c1")).toCompletableFuture().join())
        .hasValueSatisfying(c -> assertThat(c.attributes()).containsEntry("user", "ada"));
  }

  @Test
  void rejectedConnectIsAnsweredWithRejectTrueAndTheHandlersStatusAndReason() {
    started(app(new InMemoryConnectionRegistry(), SocketHandler.builder().onConnect(c -> {
      if (c.connectionId().value().equals("c1")) {
        c.reject("no token");
      } else {
        c.reject(429, "slow down");
      }
    }).build()));

    runtime.send("chat", Connect, connect("r1", "chat", "c1", Map.of()));
    runtime.send("chat", Connect, connect("r2", "chat", "c2", Map.of()));

    assertThat(awaitAnswer("r1").getWebsocketEventResponse().getConnectionResponse()).isEqualTo(
        WebsocketConnectionResponse.newBuilder().setReject(true).setRejectStatus(403).setRejectReason("no token").build());
    assertThat(awaitAnswer("r2").getWebsocketEventResponse().getConnectionResponse()).isEqualTo(
        WebsocketConnectionResponse.newBuilder().setReject(true).setRejectStatus(429).setRejectReason("slow down").build());
  }

  @Test
  void aConnectWhoseHandlerThrowsIsRejected() {
    started(app(new InMemoryConnectionRegistry(), SocketHandler.builder()
        .onConnect(c -> {
          throw new IllegalStateException("handler broke");
        }).build()));

    runtime.send("chat", Connect, connect("r1", "chat", "c1", Map.of()));

    assertThat(awaitAnswer("r1").getWebsocketEventResponse().getConnectionResponse().getReject()).isTrue();
  }

  @Test
  void disconnectAndMessageAreAnsweredPlainly() {
    InMemoryConnectionRegistry registry = new InMemoryConnectionRegistry();
    List<String> texts = Collections.synchronizedList(new ArrayList<>());
    started(app(registry, SocketHandler.builder().onMessage(m -> texts.add(m.message().text())).build()));
    runtime.send("chat", Connect, connect("r1", "chat", "c1", Map.of()));
    awaitAnswer("r1");

    runtime.send("chat", Message, message("r2", "chat", "c1", "héllo 🙂"));
    ClientMessage messageAnswer = awaitAnswer("r2");
    runtime.send("chat", Disconnect, disconnect("r3", "chat", "c1"));
    ClientMessage disconnectAnswer = awaitAnswer("r3");

    assertThat(List.of(messageAnswer, disconnectAnswer)).allSatisfy(a -> {
      assertThat(a.getWebsocketEventResponse().hasConnectionResponse()).isTrue();
      assertThat(a.getWebsocketEventResponse().getConnectionResponse().getReject()).isFalse();
    });
    assertThat(texts).containsExactly("héllo 🙂");
    assertThat(registry.count(SocketName.of("chat")).toCompletableFuture().join()).isZero();
  }

  @Test
  void everyRequestIsAnsweredExactlyOnceAndEachConnectionsMessagesStayInOrder() {
    int connections = 50;
    int perConnection = 10;
    Map<String, List<String>> seen = new ConcurrentHashMap<>();
    started(app(new InMemoryConnectionRegistry(), SocketHandler.builder()
        .onMessage(m -> seen.computeIfAbsent(m.connectionId().value(), k -> Collections.synchronizedList(new ArrayList<>()))
            .add(m.message().text()))
        .build()));
    for (int c = 0; c < connections; c++) {
      runtime.send("chat", Connect, connect("connect-" + c, "chat", "conn-" + c, Map.of()));
    }
    await().atMost(WAIT).until(() -> runtime.answerCount() == connections);

    for (int i = 0; i < perConnection; i++) {
      for (int c = 0; c < connections; c++) {
        runtime.send("chat", Message, message("msg-" + c + "-" + i, "chat", "conn-" + c, Integer.toString(i)));
      }
    }

    int total = connections + connections * perConnection;
    await().atMost(WAIT).until(() -> runtime.answerCount() >= total);
    await().during(Duration.ofMillis(200)).atMost(WAIT).until(() -> runtime.answerCount() == total);
    assertThat(runtime.answers).hasSize(total).allSatisfy((id, answers) -> assertThat(answers).as(id).hasSize(1));
    List<String> inOrder = new ArrayList<>();
    for (int i = 0; i < perConnection; i++) {
      inOrder.add(Integer.toString(i));
    }
    assertThat(seen).hasSize(connections).allSatisfy((c, texts) -> assertThat(texts).as(c).isEqualTo(inOrder));
  }

  @Test
  void aSlowAnswerDoesNotHoldUpOtherConnections() {
    CountDownLatch release = new CountDownLatch(1);
    started(app(new InMemoryConnectionRegistry(), SocketHandler.builder()
        .onMessage(m -> {
          if (m.connectionId().value().equals("slow")) {
            release.await(30, TimeUnit.SECONDS);
          }
        }).build()));

    runtime.send("chat", Message, message("slow-1", "chat", "slow", "x"));
    for (int i = 0; i < 20; i++) {
      runtime.send("chat", Message, message("fast-" + i, "chat", "fast-" + i, "y"));
    }

    await().atMost(WAIT).until(() -> runtime.answerCount() == 20);
    assertThat(runtime.answers("slow-1")).isEmpty();
    release.countDown();
    assertThat(awaitAnswer("slow-1").getWebsocketEventResponse().getConnectionResponse().getReject()).isFalse();
  }

  @Test
  void aDuplicateIdInFlightIsHandledAndAnsweredEachTime() {
    TestEvents events = new TestEvents("chat").holding();
    started(events);

    runtime.send("chat", Message, message("dup", "chat", "c1", "first"));
    runtime.send("chat", Message, message("dup", "chat", "c2", "second"));
    await().atMost(WAIT).until(() -> events.received.size() == 2);
    events.pending.get("c2").get(0).complete(EventAnswer.ACCEPT);
    events.pending.get("c1").get(0).complete(EventAnswer.ACCEPT);

    await().atMost(WAIT).until(() -> runtime.answers("dup").size() == 2);
    await().during(Duration.ofMillis(200)).atMost(WAIT).until(() -> runtime.answerCount() == 2);
  }

  @Test
  void aMissingIdIsHandledAndAnsweredWithTheSameEmptyId() {
    TestEvents events = new TestEvents("chat").answering(e -> CompletableFuture.completedFuture(EventAnswer.FAILED));
    started(events);

    runtime.send("chat", Connect, connect("", "chat", "c1", Map.of()));

    ClientMessage answer = awaitAnswer("");
    assertThat(answer.getId()).isEmpty();
    assertThat(answer.getWebsocketEventResponse().getConnectionResponse().getReject()).isTrue();
    assertThat(answer.getWebsocketEventResponse().getConnectionResponse().getRejectStatus()).isEqualTo(500);
    assertThat(events.received).hasSize(1);
  }

  @Test
  void malformedEventsAreAnsweredWithoutReachingTheApp() {
    TestEvents events = new TestEvents("chat");
    started(events);

    runtime.send("chat", Connect, connect("bad-id-connect", "chat", "bad\u0001id", Map.of()));
    runtime.send("chat", Message, message("bad-id-message", "chat", "bad\u0001id", "x"));
    runtime.send("chat", Disconnect, disconnect("blank-id-disconnect", "chat", "  "));
    runtime.send("chat", Connect, connect("bad-socket", "no/such socket", "c1", Map.of()));
    runtime.send("chat", Connect, FakeEventRuntime.request("no-event",
        WebsocketEventRequest.newBuilder().setSocketName("chat").setConnectionId("c1").build()));
    runtime.send("chat", Message, FakeEventRuntime.request("no-event-message",
        WebsocketEventRequest.newBuilder().setSocketName("chat").setConnectionId("c1").build()));

    assertThat(reject(awaitAnswer("bad-id-connect"))).isTrue();
    assertThat(reject(awaitAnswer("bad-socket"))).isTrue();
    assertThat(reject(awaitAnswer("no-event"))).isTrue();
    assertThat(reject(awaitAnswer("bad-id-message"))).isFalse();
    assertThat(reject(awaitAnswer("blank-id-disconnect"))).isFalse();
    assertThat(reject(awaitAnswer("no-event-message"))).isFalse();
    assertThat(events.received).isEmpty();
  }

  @Test
  void anAppThatFailsThrowsOrAnswersNullStillGetsEveryRequestAnswered() {
    TestEvents events = new TestEvents("chat").answering(e -> switch (e.connectionId().value()) {
      case "fails" -> CompletableFuture.failedFuture(new IllegalStateException("app broke"));
      case "throws" -> throw new IllegalStateException("app threw");
      case "null-stage" -> null;
      default -> CompletableFuture.completedFuture(null);
    });
    started(events);

    for (String c : List.of("fails", "throws", "null-stage", "null-answer")) {
      runtime.send("chat", Connect, connect("connect-" + c, "chat", c, Map.of()));
      runtime.send("chat", Message, message("message-" + c, "chat", c, "x"));
    }

    for (String c : List.of("fails", "throws", "null-stage", "null-answer")) {
      assertThat(reject(awaitAnswer("connect-" + c))).as(c).isTrue();
      assertThat(reject(awaitAnswer("message-" + c))).as(c).isFalse();
    }
    assertThat(events.received).hasSize(8);
  }

  @Test
  void anUnansweredEventIsAnsweredAfterTheAnswerTimeoutAndOnlyOnce() {
    TestEvents events = new TestEvents("chat").holding();
    NitricEventSource source = NitricEventSource.builder(grpc.channel(), events)
        .backoff(Duration.ofMillis(10), Duration.ofMillis(100))
        .answerTimeout(Duration.ofMillis(300))
        .build();
    sources.add(source);
    assertThat(source.start().toCompletableFuture()).succeedsWithin(WAIT);

    runtime.send("chat", Connect, connect("late", "chat", "c1", Map.of()));

    assertThat(reject(awaitAnswer("late"))).isTrue();
    events.pending.get("c1").get(0).complete(EventAnswer.ACCEPT);
    await().during(Duration.ofMillis(200)).atMost(WAIT).until(() -> runtime.answers("late").size() == 1);
  }

  // ---------------------------------------------------------------- reconnect

  @Test
  void aStreamTheRuntimeCompletesIsOpenedAndRegisteredAgain() {
    NitricEventSource source = started(new TestEvents("chat"));

    runtime.stream("chat", Message).complete();

    await().atMost(WAIT).until(() -> source.registrations() == 4 && runtime.isRegistered("chat", Message));
    assertThat(runtime.registrations).filteredOn(k -> k.type() == Message).hasSize(2);
    runtime.send("chat", Message, message("after", "chat", "c1", "x"));
    assertThat(reject(awaitAnswer("after"))).isFalse();
  }

  @Test
  void aStreamTheRuntimeFailsIsOpenedAndRegisteredAgainAndAnswersOfTheLostStreamAreDropped() {
    CompletableFuture<EventAnswer> held = new CompletableFuture<>();
    TestEvents events = new TestEvents("chat").answering(e -> e.connectionId().value().equals("c0")
        ? held : CompletableFuture.completedFuture(EventAnswer.ACCEPT));
    NitricEventSource source = started(events);
    runtime.send("chat", Connect, connect("lost", "chat", "c0", Map.of()));
    await().atMost(WAIT).until(() -> events.received.size() == 1);

    runtime.stream("chat", Connect).end(Status.INTERNAL.withDescription("runtime hiccup"));

    await().atMost(WAIT).until(() -> source.registrations() == 4 && runtime.isRegistered("chat", Connect));
    held.complete(EventAnswer.ACCEPT);
    runtime.send("chat", Connect, connect("after", "chat", "c1", Map.of()));
    assertThat(reject(awaitAnswer("after"))).isFalse();
    await().during(Duration.ofMillis(200)).atMost(WAIT).until(() -> runtime.answers("lost").isEmpty());
  }

  @Test
  void aRestartedRuntimeGetsEveryStreamRegisteredAgain() throws Exception {
    NitricEventSource source = started(new TestEvents("chat"));

    grpc.stopServer();
    await().atMost(WAIT).until(() -> !source.isRegistered());
    FakeEventRuntime restarted = new FakeEventRuntime();
    runtime = restarted;
    grpc.startServer(restarted);

    await().atMost(WAIT).until(() -> restarted.registrations.size() == 3 && source.isRegistered());
    restarted.send("chat", Connect, connect("after-restart", "chat", "c1", Map.of()));
    assertThat(reject(awaitAnswer("after-restart"))).isFalse();
  }

  @Test
  void aRefusedRegistrationIsRetriedUntilTheHandlerIsFree() {
    NitricEventSource first = started(new TestEvents("chat"));
    NitricEventSource second = source(new TestEvents("chat"));

    CompletableFuture<Void> secondStarted = second.start().toCompletableFuture();

    await().atMost(WAIT).until(() -> runtime.refused.size() >= 6);
    assertThat(secondStarted).isNotDone();
    first.close();
    assertThat(secondStarted).succeedsWithin(WAIT);
    assertThat(second.isRegistered()).isTrue();
  }

  // ---------------------------------------------------------------- build-time collection

  @Test
  void collectRegistersEachStreamOnceAndCompletesWhenTheCollectorHasEndedThem() {
    runtime.endStreamsAfterRegistration();
    NitricEventSource source = source(new TestEvents("chat"));

    assertThat(source.collect().toCompletableFuture()).succeedsWithin(WAIT);

    assertThat(runtime.registrations).containsExactlyInAnyOrder(
        key("chat", Connect), key("chat", Disconnect), key("chat", Message));
    // the streams the collector ended are never opened again
    await().during(Duration.ofMillis(500)).atMost(WAIT).until(() -> runtime.firstMessages.size() == 3);
    assertThatThrownBy(source::start).isInstanceOf(IllegalStateException.class);
  }

  @Test
  void collectFailsNamingTheStreamTheCollectorRefusedAndOpensNothingAgain() {
    started(new TestEvents("chat"));
    NitricEventSource second = source(new TestEvents("chat"));

    CompletableFuture<Void> collected = second.collect().toCompletableFuture();

    assertThat(collected).failsWithin(WAIT).withThrowableThat()
        .withCauseInstanceOf(NitricCallException.class)
        .withMessageContaining("without registering its handler")
        .withMessageContaining("already registered");
    await().during(Duration.ofMillis(500)).atMost(WAIT).until(() -> runtime.firstMessages.size() == 6);
  }

  @Test
  void collectWithNoRuntimeFailsInsteadOfRetrying() throws Exception {
    grpc.stopServer();
    NitricEventSource source = source(new TestEvents("chat"));

    assertThat(source.collect().toCompletableFuture()).failsWithin(WAIT).withThrowableThat()
        .withMessageContaining("UNAVAILABLE");
  }

  // ---------------------------------------------------------------- close

  @Test
  void closeAnswersWhatIsDueThenCompletesEveryStreamAndNeverReconnects() {
    TestEvents events = new TestEvents("chat").holding();
    NitricEventSource source = started(events);
    runtime.send("chat", Message, message("due", "chat", "c1", "x"));
    await().atMost(WAIT).until(() -> events.pending.containsKey("c1"));

    CompletableFuture<Void> stopped = source.shutdown().toCompletableFuture();

    await().during(Duration.ofMillis(200)).atMost(WAIT).until(() -> !stopped.isDone());
    events.pending.get("c1").get(0).complete(EventAnswer.ACCEPT);
    assertThat(stopped).succeedsWithin(WAIT);
    assertThat(runtime.answers("due")).hasSize(1);
    assertThat(runtime.halfClosedByClient).hasSize(3);
    assertThat(source.isRegistered()).isFalse();
    await().during(Duration.ofMillis(300)).atMost(WAIT).until(() -> runtime.registrations.size() == 3);
    assertThatThrownBy(source::start).isInstanceOf(IllegalStateException.class);
  }

  @Test
  void closingBeforeRegistrationFailsTheStartStage() {
    runtime.holdRegistrations();
    NitricEventSource source = source(new TestEvents("chat"));
    CompletableFuture<Void> started = source.start().toCompletableFuture();
    await().atMost(WAIT).until(() -> runtime.firstMessages.size() == 3);

    source.close();

    assertThat(started).failsWithin(WAIT);
  }

  // ---------------------------------------------------------------- helpers

  private NitricEventSource source(dev.nitricws.ports.SocketEvents events) {
    NitricEventSource source = NitricEventSource.builder(grpc.channel(), events)
        .backoff(Duration.ofMillis(10), Duration.ofMillis(100))
        .closeGrace(Duration.ofSeconds(2))
        .build();
    sources.add(source);
    return source;
  }

  private NitricEventSource started(dev.nitricws.ports.SocketEvents events) {
    NitricEventSource source = source(events);
    assertThat(source.start().toCompletableFuture()).succeedsWithin(WAIT);
    return source;
  }

  private WebsocketApp app(InMemoryConnectionRegistry registry, SocketHandler handler) {
    WebsocketApp app = WebsocketApp.builder(registry, TestEvents.deliveringSender()).socket("chat", handler).build();
    apps.add(app);
    return app;
  }

  private ClientMessage awaitAnswer(String id) {
    await().atMost(WAIT).until(() -> !runtime.answers(id).isEmpty());
    List<ClientMessage> answers = runtime.answers(id);
    assertThat(answers).as("answers to %s", id).hasSize(1);
    return answers.get(0);
  }

  private static boolean reject(ClientMessage answer) {
    assertThat(answer.getWebsocketEventResponse().hasConnectionResponse()).isTrue();
    return answer.getWebsocketEventResponse().getConnectionResponse().getReject();
  }

  private static FakeEventRuntime.Key key(String socket, WebsocketEventType type) {
    return new FakeEventRuntime.Key(socket, type);
  }
}
