package dev.nitricws.it.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import dev.nitricws.bootstrap.ChatModule;
import dev.nitricws.bootstrap.NitricWsMain;
import dev.nitricws.bootstrap.NitricWsServer;
import dev.nitricws.it.support.NodeTools;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The example chat page in a real browser: headless Chromium, driven by playwright-core
 * ({@code src/test/node/browser-chat/rooms.mjs}), against {@code bin/chat}'s server with its
 * own chat. Two pages join room "x", one says something, the other shows it and both list the
 * room's members; a third page in room "y" never shows it.
 *
 * <p>Needs node, npm and Debian's {@code chromium} (.ci/run installs them); a missing one fails
 * the test naming it.
 */
class BrowserChatIT {

  private static final Path SCRIPT_DIR =
      Path.of(System.getProperty("nitric.it.browserChat", "src/test/node/browser-chat")).toAbsolutePath();
  private static final Path LOG_DIR = Path.of("target", "browser-chat").toAbsolutePath();

  private NitricWsServer server;

  @AfterEach
  void stop() {
    if (server != null) {
      server.close();
    }
  }

  @Test
  void twoPagesInARoomChatAndAPageInAnotherRoomSeesNothing() throws Exception {
    NodeTools.requireTool("node", "BrowserChatIT", "node, npm and chromium");
    NodeTools.requireTool("npm", "BrowserChatIT", "node, npm and chromium");
    Path chromium = chromium();
    NodeTools.npmCi(SCRIPT_DIR, "playwright-core", LOG_DIR.resolve("npm-ci.log"));
    server = NitricWsServer.start(NitricWsMain.parse("--store=memory", "--ws-port=0", "--grpc-port=0"),
        new ChatModule());

    Path output = LOG_DIR.resolve("rooms.log");
    ProcessBuilder run = new ProcessBuilder("node", "rooms.mjs", "http://127.0.0.1:" + server.websocketPort())
        .directory(SCRIPT_DIR.toFile())
        .redirectErrorStream(true)
        .redirectOutput(output.toFile());
    run.environment().put("CHROMIUM", chromium.toString());
    Process browser = run.start();
    if (!browser.waitFor(2, TimeUnit.MINUTES)) {
      browser.destroyForcibly();
      fail("the browser run did not end within 2 minutes:%n%s", Files.readString(output));
    }
    String report = Files.readString(output);
    assertThat(browser.exitValue()).as("the browser run's checks:%n%s", report).isZero();
    assertThat(report).contains("ok   Bob's page shows what Ada said in room x")
        .contains("ok   Cy's page, in room y, never shows room x's message")
        .doesNotContain("FAIL");
  }

  /** Debian's chromium on the PATH; fails naming it when it is missing. */
  private static Path chromium() throws InterruptedException {
    NodeTools.requireTool("chromium", "BrowserChatIT", "node, npm and chromium");
    for (String dir : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
      Path candidate = Path.of(dir, "chromium");
      if (Files.isExecutable(candidate)) {
        return candidate;
      }
    }
    return fail("chromium answered --version but is in no PATH directory");
  }
}
