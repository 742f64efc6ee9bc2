package dev.nitricws.bootstrap;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.nitricws.adapters.memory.InMemoryConnectionRegistry;
import dev.nitricws.adapters.micrometer.MicrometerConnectionRegistry;
import dev.nitricws.adapters.micrometer.MicrometerSocketMetrics;
import dev.nitricws.domain.Connection;
import dev.nitricws.domain.ConnectionId;
import dev.nitricws.domain.ConnectionRegistry;
import dev.nitricws.domain.ConnectionStoreException;
import dev.nitricws.domain.SocketName;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Function;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** /metrics in Prometheus's format and /health over real HTTP, on a free port. */
@Timeout(value = 30, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class MetricsEndpointTest {

  private static final SocketName CHAT = SocketName.of("chat");

  private final PrometheusMeterRegistry meters = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
  private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
  private final AtomicBoolean runtimeUp = new AtomicBoolean(true);
  private final SwitchableStore store = new SwitchableStore(new InMemoryConnectionRegistry());
  private HttpMetricsEndpoint endpoint;

  @AfterEach
  void stop() {
    if (endpoint != null) {
      endpoint.close();
    }
  }

  @Test
  void metricsShowEveryNitricWsMeterInPrometheusTextFormat() throws Exception {
    new MicrometerSocketMetrics(meters, List.of(CHAT));
    ConnectionRegistry timed = MicrometerConnectionRegistry.timing(store, "memory", meters);
    timed.count(CHAT).toCompletableFuture().join();
    start();

    HttpResponse<String> response = get("/metrics");

    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(response.headers().firstValue("Content-Type")).contains(HttpMetricsEndpoint.PROMETHEUS_TEXT);
    assertThat(response.body())
        .contains("nitricws_connections_open{socket=\"chat\"} 0")
        .contains("nitricws_events_total{outcome=\"accepted\",socket=\"chat\",type=\"connect\"} 0")
        .contains("nitricws_handler_failures_total{socket=\"chat\",type=\"message\"} 0")
        .contains("nitricws_sends_total{outcome=\"gone\",socket=\"chat\"} 0")
        .contains("nitricws_broadcast_duration_seconds_count{outcome=\"completed\",socket=\"chat\"} 0")
        .contains("nitricws_registry_duration_seconds_count{operation=\"count\",outcome=\"success\",store=\"memory\"} 1");
  }

  @Test
  void healthIs200WhenEveryCheckIsUpAnd503NamingTheOneThatIsNot() throws Exception {
    start();

    HttpResponse<String> up = get("/health");
    assertThat(up.statusCode()).isEqualTo(200);
    assertThat(up.headers().firstValue("Content-Type")).contains("application/json");
    assertThat(up.body()).isEqualTo("{\"status\":\"up\",\"checks\":{\"runtime\":\"up\",\"store\":\"up\"}}");

    store.failing = true;
    HttpResponse<String> storeDown = get("/health");
    assertThat(storeDown.statusCode()).isEqualTo(503);
    assertThat(storeDown.body()).isEqualTo("{\"status\":\"down\",\"checks\":{\"runtime\":\"up\",\"store\":\"down\"}}");

    store.failing = false;
    store.silent = true;
    assertThat(get("/health").body()).as("a store that does not answer in time")
        .isEqualTo("{\"status\":\"down\",\"checks\":{\"runtime\":\"up\",\"store\":\"down\"}}");

    store.silent = false;
    runtimeUp.set(false);
    HttpResponse<String> runtimeDown = get("/health");
    assertThat(runtimeDown.statusCode()).isEqualTo(503);
    assertThat(runtimeDown.body()).isEqualTo("{\"status\":\"down\",\"checks\":{\"runtime\":\"down\",\"store\":\"up\"}}");
  }

  @Test
  void otherPathsAre404OtherMethods405AndHeadHasNoBody() throws Exception {
    start();

    assertThat(get("/").statusCode()).isEqualTo(404);
    assertThat(get("/metricsx").statusCode()).isEqualTo(404);
    HttpResponse<String> post = http.send(request("/metrics").POST(HttpRequest.BodyPublishers.noBody()).build(),
        HttpResponse.BodyHandlers.ofString());
    assertThat(post.statusCode()).isEqualTo(405);
    assertThat(post.headers().firstValue("Allow")).contains("GET, HEAD");
    HttpResponse<String> head = http.send(request("/health").method("HEAD", HttpRequest.BodyPublishers.noBody()).build(),
        HttpResponse.BodyHandlers.ofString());
    assertThat(head.statusCode()).isEqualTo(200);
    assertThat(head.body()).isEmpty();
  }

  @Test
  void aPortInUseFailsNamingTheFlagAndClosingFreesThePort() {
    start();
    int port = endpoint.port().orElseThrow();
    HttpMetricsEndpoint second = new HttpMetricsEndpoint(port, meters::scrape, health());

    assertThatThrownBy(second::start).isInstanceOf(UncheckedIOException.class)
        .hasMessageContaining("cannot serve metrics on port " + port + " (--metrics-port)");
    endpoint.close();
    assertThat(endpoint.port()).isEmpty();
    assertThatThrownBy(() -> http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/health")).build(),
        HttpResponse.BodyHandlers.ofString())).isInstanceOf(IOException.class);
  }

  private void start() {
    endpoint = new HttpMetricsEndpoint(0, meters::scrape, health());
    endpoint.start();
  }

  private HealthChecks health() {
    return new HealthChecks(runtimeUp::get, store, Duration.ofMillis(300));
  }

  private HttpResponse<String> get(String path) throws IOException, InterruptedException {
    return http.send(request(path).GET().build(), HttpResponse.BodyHandlers.ofString());
  }

  private HttpRequest.Builder request(String path) {
    return HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + endpoint.port().orElseThrow() + path))
        .timeout(Duration.ofSeconds(10));
  }

  /** The in-memory store, whose counts can be made to fail or never answer. */
  private static final class SwitchableStore implements ConnectionRegistry {
    private final ConnectionRegistry store;
    volatile boolean failing;
    volatile boolean silent;

    SwitchableStore(ConnectionRegistry store) {
      this.store = store;
    }

    @Override
    public CompletionStage<Void> register(Connection connection) {
      return store.register(connection);
    }

    @Override
    public CompletionStage<Boolean> unregister(SocketName socket, ConnectionId id) {
      return store.unregister(socket, id);
    }

    @Override
    public CompletionStage<Optional<Connection>> find(SocketName socket, ConnectionId id) {
      return store.find(socket, id);
    }

    @Override
    public CompletionStage<Long> count(SocketName socket) {
      if (failing) {
        return CompletableFuture.failedFuture(new ConnectionStoreException("connection refused"));
      }
      return silent ? new CompletableFuture<>() : store.count(socket);
    }

    @Override
    public CompletionStage<Long> scan(SocketName socket, int pageSize,
        Function<List<ConnectionId>, CompletionStage<?>> onPage) {
      return store.scan(socket, pageSize, onPage);
    }
  }
}
