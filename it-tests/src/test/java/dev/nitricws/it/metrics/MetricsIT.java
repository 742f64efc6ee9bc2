package dev.nitricws.it.metrics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.nitricws.bootstrap.NitricWsMain;
import dev.nitricws.bootstrap.NitricWsServer;
import dev.nitricws.it.support.FreePorts;
import dev.nitricws.runtime.WsClient;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The chat as {@code bin/chat --metrics-port} runs it: real clients chat, and /metrics counts their
 * connects, messages, sends and broadcast and the store's calls; /health is up. Every meter the
 * README's "Metrics" section names is in the scrape, and the section shows the commands to try.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class MetricsIT {

  private static final Path README = Path.of("../README.md");
  private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
  private NitricWsServer server;

  @AfterEach
  void stop() {
    if (server != null) {
      server.close();
    }
  }

  @Test
  void aChatIsCountedAtMetricsAndHealthIsUp() throws Exception {
    int metricsPort = FreePorts.take(1)[0];
    String socket = "chat" + System.nanoTime();
    server = NitricWsServer.start(NitricWsMain.parse("--store=memory", "--ws-port=0", "--grpc-port=0",
        "--socket=" + socket, "--metrics-port=" + metricsPort));
    assertThat(server.metricsPort()).hasValue(metricsPort);
    assertThat(server.banner()).contains("http://127.0.0.1:" + metricsPort + "/metrics");
    int port = server.websocketPort();

    try (WsClient ada = WsClient.open(port, "/"); WsClient bob = WsClient.open(port, "/")) {
      await().atMost(Duration.ofSeconds(15)).until(() ->
          server.app().websocket(socket).connectionCount().toCompletableFuture().join() == 2);
      ada.send("hello");
      assertThat(ada.nextText()).isEqualTo("hello");
      assertThat(bob.nextText()).isEqualTo("hello");

      String tag = "socket=\"" + socket + "\"";
      await().atMost(Duration.ofSeconds(15)).untilAsserted(() -> assertThat(get(metricsPort, "/metrics").body())
          .contains("nitricws_connections_open{" + tag + "} 2")
          .contains("nitricws_events_total{outcome=\"accepted\"," + tag + ",type=\"connect\"} 2")
          .contains("nitricws_events_total{outcome=\"accepted\"," + tag + ",type=\"message\"} 1")
          .contains("nitricws_sends_total{outcome=\"delivered\"," + tag + "} 2")
          .contains("nitricws_broadcast_duration_seconds_count{outcome=\"completed\"," + tag + "} 1")
          .containsPattern("nitricws_registry_duration_seconds_count\\{operation=\"register\",outcome=\"success\","
              + "store=\"memory\"} 2"));

      HttpResponse<String> health = get(metricsPort, "/health");
      assertThat(health.statusCode()).isEqualTo(200);
      assertThat(health.body()).isEqualTo("{\"status\":\"up\",\"checks\":{\"runtime\":\"up\",\"store\":\"up\"}}");
    }
    await().atMost(Duration.ofSeconds(15)).untilAsserted(() -> assertThat(get(metricsPort, "/metrics").body())
        .contains("nitricws_connections_open{socket=\"" + socket + "\"} 0"));
  }

  @Test
  void everyMeterTheReadmeNamesIsServedAndTheReadmeShowsHowToTryIt() throws Exception {
    String section = readmeSection("## Metrics");
    assertThat(section).contains("bin/chat --metrics-port 9090").contains("curl localhost:9090/metrics")
        .contains("curl -i localhost:9090/health");
    Matcher names = Pattern.compile("`(nitricws\\.[a-z.]+)`").matcher(section);
    List<String> documented = names.results().map(m -> m.group(1)).distinct().toList();
    assertThat(documented).hasSizeGreaterThanOrEqualTo(7);

    int metricsPort = FreePorts.take(1)[0];
    server = NitricWsServer.start(NitricWsMain.parse("--store=memory", "--ws-port=0", "--grpc-port=0",
        "--socket=chat" + System.nanoTime(), "--metrics-port=" + metricsPort));
    String scrape = get(metricsPort, "/metrics").body();
    for (String name : documented) {
      assertThat(scrape).as(name).contains(name.replace('.', '_'));
    }
  }

  private HttpResponse<String> get(int port, String path) throws IOException, InterruptedException {
    return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
        .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
  }

  private static String readmeSection(String heading) throws IOException {
    String readme = Files.readString(README, StandardCharsets.UTF_8);
    int start = readme.indexOf("\n" + heading + "\n");
    assertThat(start).as("the README has a section " + heading).isNotNegative();
    int end = readme.indexOf("\n## ", start + heading.length() + 1);
    return readme.substring(start, end < 0 ? readme.length() : end);
  }
}
